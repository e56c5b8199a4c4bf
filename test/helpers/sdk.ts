/** The official JavaScript SDK (purecloud-platform-client-v2), unchanged, pointed at a Gatehouse under test. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A fresh instance of the SDK whose gateway is `url` (plain http reaches it only through
 * setGateway). The SDK keeps a singleton ApiClient; a fresh module instance per test keeps tokens apart.
 */
export function freshSdk(url: string) {
  const path = require.resolve('purecloud-platform-client-v2');
  delete require.cache[path];
  const platformClient = require('purecloud-platform-client-v2');
  const client = platformClient.ApiClient.instance;
  const { hostname, port } = new URL(url);
  client.setGateway({ host: hostname, protocol: 'http', port: Number(port) });
  return { platformClient, client };
}
