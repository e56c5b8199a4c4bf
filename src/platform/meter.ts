/**
 * The metering extension point: called once per answered /api/v2 request, after the response.
 * The usage domain's meter counts; the no-op meter (benchmarks' baseline) counts nothing.
 */
export interface MeteredRequest {
  orgId: string;
  clientId: string;
  clientName: string;
  userId: string | null;
  method: string;
  /** The route pattern, e.g. /api/v2/users/{userId}. */
  urlTemplate: string;
  status: number;
  at: Date;
}

export interface Meter {
  record(request: MeteredRequest): void;
  flush(): Promise<void>;
  /** Seconds the oldest count not yet written has waited (metrics); 0 when none waits. */
  flushLagSeconds?(): number;
  /** Flushes and stops any timer (graceful shutdown). */
  close?(): Promise<void>;
}
