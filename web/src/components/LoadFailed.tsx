import type { ReactNode } from 'react';

/** A load that failed: what could not be loaded, why, and a Retry (plus any other actions). */
export function LoadFailed({
  what,
  message,
  onRetry,
  children,
}: {
  what: string;
  message: string;
  onRetry: () => void;
  children?: ReactNode;
}) {
  return (
    <div role="alert" className="error">
      <p>
        The {what} could not be loaded: {message}
      </p>
      <button type="button" onClick={onRetry}>
        Retry
      </button>
      {children}
    </div>
  );
}
