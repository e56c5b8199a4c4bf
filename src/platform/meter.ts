/**
 * The metering extension point: called once per answered /api/v2 request, after the response.
 * The usage domain fills it in; until then the no-op meter counts nothing.
 */
export interface MeteredRequest {
  orgId: string;
  clientId: string;
  method: string;
  /** The route pattern, e.g. /api/v2/users/{userId}. */
  urlTemplate: string;
  status: number;
  at: Date;
}

export interface Meter {
  record(request: MeteredRequest): void;
  flush(): Promise<void>;
}

export const noopMeter: Meter = { record: () => {}, flush: async () => {} };
