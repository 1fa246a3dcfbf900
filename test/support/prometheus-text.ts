/**
 * Reads the Prometheus text format with the parser of the Prometheus project's own Python client
 * (Debian's python3-prometheus-client, run by Debian's python3): each sample with its name,
 * labels and value. Text the parser refuses fails the call with its message.
 */
import { execFile } from 'node:child_process'

export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

const PYTHON = '/usr/bin/python3'
const PARSE = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        v = s.value
        out.append({"name": s.name, "labels": s.labels, "value": v if math.isfinite(v) else str(v)})
print(json.dumps(out))
`

export function parsePrometheusText(text: string): Promise<Sample[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, ['-c', PARSE], (error, stdout, stderr) => {
      if (error !== null) {
        reject(
          new Error(
            `the Prometheus parser (${PYTHON}, package python3-prometheus-client) refused it: ${stderr || error.message}`,
          ),
        )
        return
      }
      resolve(
        (
          JSON.parse(stdout) as {
            name: string
            labels: Record<string, string>
            value: number | string
          }[]
        ).map((sample) => ({
          name: sample.name,
          labels: sample.labels,
          value: numberOf(sample.value),
        })),
      )
    })
    child.stdin?.end(text)
  })
}

/** Python's str() of what JSON cannot carry: inf, -inf, nan. */
function numberOf(value: number | string): number {
  if (typeof value === 'number') {
    return value
  }
  return value === 'inf' ? Infinity : value === '-inf' ? -Infinity : NaN
}

/** The value of the one sample `name` with these labels (others may have more), or undefined. */
export function sampleValue(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const found = samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )
  if (found.length > 1) {
    throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`)
  }
  return found[0]?.value
}
