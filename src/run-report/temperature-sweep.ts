/**
 * A temperature sweep: the same recipe trained at several values of the loss's temperature τ for
 * the same steps, each evaluated (`npm run bench -- temperature` writes it as
 * `temperature-sweep.json` next to its runs). The report of a run inside such a folder gets a τ
 * section that places the run among the others. Browser-safe: text in, data out.
 */

/** The sweep's file name, in the folder that holds its runs. */
export const TEMPERATURE_SWEEP_FILE = 'temperature-sweep.json';

/** One trained run of a sweep. */
export interface TemperaturePoint {
  temperature: number;
  /** The run's folder name inside the sweep's folder. */
  run: string;
  /** Wang & Isola's metrics on two augmented views of test samples (lower is better); null when not measured. */
  alignment: number | null;
  uniformity: number | null;
  /** Test accuracy by share of train labels (`{"1%": 0.66, ...}`). */
  linear: Record<string, number>;
  knn: Record<string, number>;
}

export interface TemperatureSweep {
  /** The loss whose τ varies (`ntxent`). */
  loss: string;
  /** Training steps of every run. */
  steps: number;
  /** Sorted by temperature. */
  points: TemperaturePoint[];
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function accuracies(v: unknown): Record<string, number> | undefined {
  if (!isObj(v)) return undefined;
  const out: Record<string, number> = {};
  for (const [k, a] of Object.entries(v)) {
    if (!isNum(a)) return undefined;
    out[k] = a;
  }
  return out;
}

function point(v: unknown): TemperaturePoint | undefined {
  if (!isObj(v) || !isNum(v.temperature) || v.temperature <= 0 || typeof v.run !== 'string') return undefined;
  const linear = accuracies(v.linear);
  const knn = accuracies(v.knn);
  if (linear === undefined || knn === undefined) return undefined;
  return {
    temperature: v.temperature,
    run: v.run,
    alignment: isNum(v.alignment) ? v.alignment : null,
    uniformity: isNum(v.uniformity) ? v.uniformity : null,
    linear,
    knn,
  };
}

/**
 * The sweep in `text`, or null with a sentence in `problems` when it is not valid JSON or not a
 * sweep (`file` names it there). Points that are damaged are dropped and counted in `problems`.
 */
export function parseTemperatureSweep(text: string, file: string, problems: string[]): TemperatureSweep | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    problems.push(`${file} is not valid JSON (${(err as Error).message}); the τ section is empty`);
    return null;
  }
  if (!isObj(v) || typeof v.loss !== 'string' || !isNum(v.steps) || !Array.isArray(v.points)) {
    problems.push(`${file} is not a temperature sweep ({ loss, steps, points: [...] }); the τ section is empty`);
    return null;
  }
  const points = v.points.map(point);
  const good = points.filter((p): p is TemperaturePoint => p !== undefined).sort((a, b) => a.temperature - b.temperature);
  if (good.length < points.length)
    problems.push(`${file}: ${points.length - good.length} of ${points.length} points are damaged and were left out`);
  return { loss: v.loss, steps: v.steps, points: good };
}
