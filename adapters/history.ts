/** One HTTP request and its answer, as a failing history prints it. */
export interface Exchange {
  /** Position in the run, so interleaved parallel requests read in the order they were sent. */
  seq: number;
  client: string;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody: unknown;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: unknown;
  ms: number;
}

/** Everything one run sent and received, in send order. */
export class History {
  readonly exchanges: Exchange[] = [];
  #next = 0;

  /** Reserves a sequence number when a request is sent; the exchange is stored when its answer arrives. */
  begin(): number {
    return this.#next++;
  }

  record(exchange: Exchange): void {
    this.exchanges.push(exchange);
  }

  inOrder(): Exchange[] {
    return [...this.exchanges].sort((a, b) => a.seq - b.seq);
  }
}

const shownHeaders = ['cookie', 'set-cookie', 'authorization', 'x-csrf-token'];

function clip(text: string, max = 400): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

/** A readable transcript of a history: one block per exchange, bodies clipped, only the headers that matter. */
export function formatExchanges(exchanges: Exchange[]): string {
  return exchanges
    .map((exchange) => {
      const lines = [
        `#${exchange.seq} [${exchange.client}] ${exchange.method} ${exchange.url} -> ${exchange.status} (${exchange.ms.toFixed(1)} ms)`,
      ];
      for (const [name, value] of Object.entries(exchange.requestHeaders)) {
        if (shownHeaders.includes(name)) lines.push(`    > ${name}: ${clip(value, 160)}`);
      }
      if (exchange.requestBody !== undefined) lines.push(`    > ${clip(JSON.stringify(exchange.requestBody))}`);
      for (const [name, value] of Object.entries(exchange.responseHeaders)) {
        if (shownHeaders.includes(name)) lines.push(`    < ${name}: ${clip(value, 200)}`);
      }
      if (exchange.responseBody !== undefined) lines.push(`    < ${clip(JSON.stringify(exchange.responseBody))}`);
      return lines.join('\n');
    })
    .join('\n');
}
