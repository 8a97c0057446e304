/**
 * Steady user traffic against the reference backend while the scenarios run: the API mix of a
 * working day, Kubernetes' readiness probe, and the payment provider's sparse callbacks. Requests
 * are fired on a fixed schedule (not one after another), so a slow or failing backend does not
 * slow the traffic down, as with real users; in-flight requests and the total duration are bounded.
 */

/** Requests per second, by route. The shares matter to the scenarios (see docs/e2e.md). */
export const TRAFFIC = {
  'GET /api/users/:id': 20,
  'GET /api/stats': 12,
  'POST /api/parsing-jobs': 2,
  'POST /api/broadcasts': 2,
  'POST /api/payments': 1,
  // Under 1 in 40 requests: failing all of them alone keeps the service-wide 5xx ratio under 5%.
  'POST /api/audience-segments': 0.5,
  // Sparse, as real callbacks are: below backend.alerts.routeMinRequestRate (0.1/s), so failing callbacks
  // raise the payment alert and not a per-route HighErrorRate of their own.
  'POST /api/payments/callback': 0.05,
  // The readiness probe (periodSeconds 5).
  'GET /health/ready': 0.2,
} as const;
export type TrafficRoute = keyof typeof TRAFFIC;

const TICK_MS = 50;
const MAX_IN_FLIGHT = 200;
const REQUEST_TIMEOUT_MS = 5000;

export class Traffic {
  /** Responses by route and status (0: no response). */
  readonly responses = new Map<string, number>();
  dropped = 0;
  private timer?: NodeJS.Timeout;
  private inFlight = 0;
  private readonly due = new Map<TrafficRoute, number>();
  private readonly payments: number[] = [];
  private stopAt = 0;

  constructor(private readonly baseUrl: string) {}

  /** Starts the traffic; it stops by itself after `maxMs` at the latest. */
  start(maxMs: number): void {
    this.stopAt = Date.now() + maxMs;
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Share of responses with a 5xx (or none) for a route since the start, for diagnostics. */
  summary(): string {
    return [...this.responses].sort().map(([k, n]) => `${k}: ${n}`).join(', ');
  }

  private tick(): void {
    if (Date.now() > this.stopAt) return this.stop();
    for (const [route, perSecond] of Object.entries(TRAFFIC) as [TrafficRoute, number][]) {
      const owed = (this.due.get(route) ?? 0) + (perSecond * TICK_MS) / 1000;
      const n = Math.floor(owed);
      this.due.set(route, owed - n);
      for (let i = 0; i < n; i++) this.send(route);
    }
  }

  private send(route: TrafficRoute): void {
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.dropped++;
      return;
    }
    const [method, template] = route.split(' ');
    let url = template;
    let body: unknown;
    switch (route) {
      case 'GET /api/users/:id':
        url = `/api/users/${1 + Math.floor(Math.random() * 100)}`;
        break;
      case 'POST /api/broadcasts':
        body = { recipients: 3 };
        break;
      case 'POST /api/parsing-jobs':
        body = { source: 'channel' };
        break;
      case 'POST /api/payments':
        body = { amount: 100 };
        break;
      case 'POST /api/payments/callback': {
        const paymentId = this.payments.shift();
        if (paymentId === undefined) return;
        body = { paymentId, status: 'succeeded' };
        break;
      }
      default:
        break;
    }
    this.inFlight++;
    fetch(`${this.baseUrl}${url}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
      .then(async (res) => {
        this.count(route, res.status);
        const json: any = await res.json().catch(() => undefined);
        if (route === 'POST /api/payments' && res.ok && typeof json?.id === 'number' && this.payments.length < 100) this.payments.push(json.id);
      })
      .catch(() => this.count(route, 0))
      .finally(() => this.inFlight--);
  }

  private count(route: string, status: number): void {
    const k = `${route} ${status}`;
    this.responses.set(k, (this.responses.get(k) ?? 0) + 1);
  }
}
