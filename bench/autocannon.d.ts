/** The slice of autocannon's programmatic API the benchmark uses (the package ships no types). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface AutocannonOptions {
    url: string;
    connections?: number;
    overallRate?: number;
    duration?: number;
    timeout?: number;
    requests?: { method?: string; setupRequest?: (req: object, context: object) => object }[];
  }
  type Instance = EventEmitter & PromiseLike<unknown> & { stop(): void };
  function autocannon(options: AutocannonOptions): Instance;
  export default autocannon;
}
