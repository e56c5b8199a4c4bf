/** The official JavaScript SDK's ConversationsApi against Gatehouse (@see issue 4). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../helpers/app.ts';
import { DIALECTS } from '../helpers/dialects.ts';
import { freshSdk } from '../helpers/sdk.ts';
import { validateShape } from '../helpers/shape.ts';
import { seedDemoInteractions } from './fixtures.ts';

describe.each(DIALECTS)('purecloud-platform-client-v2 ConversationsApi on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(dialect);
  });
  afterAll(() => t?.close());

  it('reads a conversation, disconnects it, and sees it disconnected', async () => {
    const { ghostCall } = await seedDemoInteractions(t, await t.token());
    const { platformClient, client } = freshSdk(t.url);
    await client.loginClientCredentialsGrant(t.demo.clientId, t.demo.clientSecret);
    const api = new platformClient.ConversationsApi();
    const before = await api.getConversation(ghostCall.id);
    validateShape('Conversation', before);
    expect(before.state).toBe('connected');
    const accepted = await api.postConversationDisconnect(ghostCall.id);
    expect(accepted).toBe('Accepted');
    const after = await api.getConversation(ghostCall.id);
    expect(after.state).toBe('disconnected');
    expect(after.endTime).toBeTruthy();
    const err = await api.getConversation('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, code: 'not.found' });
  });
});
