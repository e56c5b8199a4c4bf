import { useState } from 'react';

/** A client secret, shown once, with a copy button and the warning the seed asks for. */
export function SecretOnce({ clientId, secret }: { clientId: string; secret: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <section className="secret" aria-label="Client secret">
      <p className="warning" role="alert">
        Copy the client secret now. It is shown only once; if you lose it, regenerate it.
      </p>
      <dl className="summary">
        <dt>Client ID</dt>
        <dd>
          <code>{clientId}</code>
        </dd>
        <dt>Client Secret</dt>
        <dd>
          <code data-testid="client-secret">{secret}</code>
        </dd>
      </dl>
      <button
        type="button"
        onClick={async () => {
          await navigator.clipboard?.writeText(secret).catch(() => undefined);
          setCopied(true);
        }}
      >
        {copied ? 'Copied' : 'Copy secret'}
      </button>
    </section>
  );
}
