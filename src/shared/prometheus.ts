/**
 * Counters, gauges read at each scrape, and histograms, written out in the Prometheus text
 * exposition format (version 0.0.4,
 * https://prometheus.io/docs/instrumenting/exposition_formats/): for each
 * metric a `# HELP` and a `# TYPE` line, then one line per sample, `name{label="value"} number`.
 * "label_value can be any sequence of UTF-8 characters, but the backslash (\), double-quote
 * ("), and line feed (\n) characters have to be escaped as \\, \", and \n"; in HELP, only the
 * backslash and the line feed.
 *
 * Samples are kept per combination of label values, in the order first seen. A gauge is read
 * when the metrics are asked for (`collect`), for values that live elsewhere (a queue's depth
 * in the database, the process's memory); a collect that fails leaves its gauge out of that answer and says so
 * in a comment, so one unreachable source does not take every other metric with it.
 */

export type Labels = Readonly<Record<string, string>>

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

interface Metric {
  readonly name: string
  /** The metric's lines after its HELP and TYPE; rejects when a collected value cannot be read. */
  lines(): Promise<string[]>
  readonly help: string
  readonly type: 'counter' | 'gauge' | 'histogram'
}

/** Where the metrics of one process are kept, and written out. */
export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>()

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, labelNames))
  }

  /**
   * A gauge (or a counter kept elsewhere, such as the process's CPU time) whose samples are read
   * at each exposition: `collect` gives every sample there is (label values and value); those
   * it leaves out are absent from that answer.
   */
  collected(
    type: 'gauge' | 'counter',
    name: string,
    help: string,
    labelNames: readonly string[],
    collect: () => Promise<readonly { readonly labels: Labels; readonly value: number }[]>,
  ): void {
    checkNames(name, labelNames)
    if (type === 'counter' && !name.endsWith('_total')) {
      throw new Error(`counter ${name} must end in _total`)
    }
    this.#add({
      name,
      help,
      type,
      lines: async () =>
        (await collect()).map(
          (sample) => `${name}${labelText(labelNames, sample.labels)} ${numberText(sample.value)}`,
        ),
    })
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Histogram {
    return this.#add(new Histogram(name, help, labelNames, buckets))
  }

  /** Every metric, in the order they were made, as the text format's lines. */
  async exposition(): Promise<string> {
    const parts = await Promise.all(
      [...this.#metrics.values()].map(async (metric) => {
        const head = `# HELP ${metric.name} ${escapeHelp(metric.help)}\n# TYPE ${metric.name} ${metric.type}\n`
        try {
          const lines = await metric.lines()
          return head + lines.map((line) => `${line}\n`).join('')
        } catch (error) {
          const why = error instanceof Error ? error.message : String(error)
          return `${head}# ${metric.name} could not be read: ${escapeHelp(why)}\n`
        }
      }),
    )
    return parts.join('')
  }

  #add<T extends Metric>(metric: T): T {
    if (this.#metrics.has(metric.name)) {
      throw new Error(`metric ${metric.name} is defined twice`)
    }
    this.#metrics.set(metric.name, metric)
    return metric
  }
}

/** Only goes up: a count of things that happened since the process started. */
export class Counter implements Metric {
  readonly type = 'counter'
  readonly #values = new Map<string, number>()
  readonly name: string
  readonly help: string
  readonly labelNames: readonly string[]

  constructor(name: string, help: string, labelNames: readonly string[]) {
    checkNames(name, labelNames)
    this.name = name
    this.help = help
    this.labelNames = labelNames
    if (!name.endsWith('_total')) {
      throw new Error(`counter ${name} must end in _total`)
    }
  }

  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) {
      throw new RangeError(`counter ${this.name} cannot go up by ${by}`)
    }
    const key = labelText(this.labelNames, labels)
    this.#values.set(key, (this.#values.get(key) ?? 0) + by)
  }

  lines(): Promise<string[]> {
    return Promise.resolve(
      [...this.#values].map(([labels, value]) => `${this.name}${labels} ${numberText(value)}`),
    )
  }
}

interface HistogramSeries {
  readonly labels: Labels
  readonly counts: number[]
  sum: number
  count: number
}

/**
 * Observations counted into cumulative buckets (`le`, upper bounds, plus `+Inf`), with their sum
 * and count: the usual way to expose durations.
 */
export class Histogram implements Metric {
  readonly type = 'histogram'
  readonly #series = new Map<string, HistogramSeries>()
  readonly #buckets: readonly number[]
  readonly name: string
  readonly help: string
  readonly labelNames: readonly string[]

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ) {
    checkNames(name, [...labelNames, 'le'])
    this.name = name
    this.help = help
    this.labelNames = labelNames
    if (labelNames.includes('le')) {
      throw new Error(`histogram ${name} cannot have a label named le`)
    }
    const sorted = [...buckets].sort((a, b) => a - b)
    if (sorted.length === 0 || new Set(sorted).size !== sorted.length) {
      throw new Error(`histogram ${name} needs distinct buckets`)
    }
    this.#buckets = sorted
  }

  observe(value: number, labels: Labels = {}): void {
    const key = labelText(this.labelNames, labels)
    let series = this.#series.get(key)
    if (series === undefined) {
      series = { labels, counts: this.#buckets.map(() => 0), sum: 0, count: 0 }
      this.#series.set(key, series)
    }
    this.#buckets.forEach((bound, index) => {
      if (value <= bound) {
        series.counts[index]! += 1
      }
    })
    series.sum += value
    series.count += 1
  }

  lines(): Promise<string[]> {
    const lines: string[] = []
    for (const series of this.#series.values()) {
      const withLe = (le: string): string =>
        labelText([...this.labelNames, 'le'], { ...series.labels, le })
      this.#buckets.forEach((bound, index) => {
        lines.push(`${this.name}_bucket${withLe(numberText(bound))} ${series.counts[index]}`)
      })
      lines.push(`${this.name}_bucket${withLe('+Inf')} ${series.count}`)
      const labels = labelText(this.labelNames, series.labels)
      lines.push(`${this.name}_sum${labels} ${numberText(series.sum)}`)
      lines.push(`${this.name}_count${labels} ${series.count}`)
    }
    return Promise.resolve(lines)
  }
}

function checkNames(name: string, labelNames: readonly string[]): void {
  if (!METRIC_NAME.test(name)) {
    throw new Error(`${JSON.stringify(name)} is not a metric name`)
  }
  for (const label of labelNames) {
    if (!LABEL_NAME.test(label) || label.startsWith('__')) {
      throw new Error(`${JSON.stringify(label)} is not a label name (metric ${name})`)
    }
  }
}

/** `{a="1",b="2"}` in the order of `names`, or nothing without labels; every name needs a value. */
function labelText(names: readonly string[], labels: Labels): string {
  if (names.length === 0) {
    return ''
  }
  const pairs = names.map((name) => {
    const value = labels[name]
    if (value === undefined) {
      throw new Error(`label ${name} has no value`)
    }
    return `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
  })
  return `{${pairs.join(',')}}`
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
}

/** Go's ParseFloat forms: integers as they are, `+Inf`, `-Inf`, `NaN`. */
function numberText(value: number): string {
  if (Number.isNaN(value)) {
    return 'NaN'
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? '+Inf' : '-Inf'
  }
  return String(value)
}
