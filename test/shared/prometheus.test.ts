/**
 * MetricsRegistry's text format, read back by the Prometheus project's own parser (Python
 * client, Debian): counters, gauges read at each scrape, and histograms with their cumulative
 * buckets; label values with a backslash, a double quote and a line feed; a collected gauge
 * whose source fails is left out with a comment, and the rest still parses.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MetricsRegistry } from '../../src/shared/prometheus.js'
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.js'

describe('MetricsRegistry', () => {
  it('writes counters, collected gauges and histograms that the Prometheus parser reads back', async () => {
    const registry = new MetricsRegistry()
    const requests = registry.counter('t_requests_total', 'Requests.\nBy route.', ['route'])
    const tricky = 'a\\b "quoted"\nnext line'
    requests.inc({ route: '/a' })
    requests.inc({ route: '/a' }, 2)
    requests.inc({ route: tricky })
    registry.collected('gauge', 't_collected', 'Read at each scrape.', ['kind'], async () => [
      { labels: { kind: 'x' }, value: -3.5 },
      { labels: { kind: 'y' }, value: Number.POSITIVE_INFINITY },
    ])
    const durations = registry.histogram('t_seconds', 'Durations.', ['kind'], [1, 0.5, 5])
    for (const value of [0.2, 0.5, 0.7, 3, 30]) {
      durations.observe(value, { kind: 'k' })
    }

    const text = await registry.exposition()
    assert.match(text, /^# HELP t_requests_total Requests\.\\nBy route\.$/m)
    assert.match(text, /^# TYPE t_seconds histogram$/m)
    const samples = await parsePrometheusText(text)
    assert.equal(sampleValue(samples, 't_requests_total', { route: '/a' }), 3)
    assert.equal(sampleValue(samples, 't_requests_total', { route: tricky }), 1)
    assert.equal(sampleValue(samples, 't_collected', { kind: 'x' }), -3.5)
    assert.equal(sampleValue(samples, 't_collected', { kind: 'y' }), Number.POSITIVE_INFINITY)
    const bucket = (le: string) => sampleValue(samples, 't_seconds_bucket', { kind: 'k', le })
    assert.deepEqual(
      ['0.5', '1', '5', '+Inf'].map(bucket),
      [2, 3, 4, 5],
      'cumulative buckets, sorted',
    )
    assert.equal(sampleValue(samples, 't_seconds_count', { kind: 'k' }), 5)
    assert.ok(Math.abs(sampleValue(samples, 't_seconds_sum', { kind: 'k' })! - 34.4) < 1e-9)
  })

  it('leaves out a collected gauge whose source fails, says why, and writes the rest', async () => {
    const registry = new MetricsRegistry()
    registry.collected('gauge', 't_queue', 'From the database.', [], async () => {
      throw new Error('the database cannot be reached')
    })
    registry.counter('t_things_total', 'Things.').inc()
    const text = await registry.exposition()
    assert.match(text, /^# t_queue could not be read: the database cannot be reached$/m)
    const samples = await parsePrometheusText(text)
    assert.equal(sampleValue(samples, 't_queue'), undefined)
    assert.equal(sampleValue(samples, 't_things_total'), 1)
  })

  it('refuses what the format cannot carry', () => {
    const registry = new MetricsRegistry()
    assert.throws(() => registry.counter('t_requests', 'No _total.'), /must end in _total/)
    const none = async () => []
    assert.throws(
      () => registry.collected('gauge', 't-bad', 'A dash.', [], none),
      /not a metric name/,
    )
    assert.throws(
      () => registry.collected('gauge', 't_g', 'Label.', ['__reserved'], none),
      /not a label name/,
    )
    assert.throws(
      () => registry.collected('counter', 't_cpu_seconds', 'No _total.', [], none),
      /must end in _total/,
    )
    assert.throws(() => registry.histogram('t_h', 'No buckets.', [], []), /distinct buckets/)
    registry.counter('t_twice_total', 'Once.')
    assert.throws(() => registry.counter('t_twice_total', 'Twice.'), /defined twice/)
    const counter = registry.counter('t_c_total', 'C.', ['route'])
    assert.throws(() => counter.inc({}), /label route has no value/)
    assert.throws(() => counter.inc({ route: '/' }, -1), /cannot go up by -1/)
  })
})
