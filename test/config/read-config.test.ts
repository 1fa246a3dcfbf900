/**
 * The configuration as the environment gives it: the defaults, the worker's slots and the line
 * limits, and a clear error naming the variable for a value out of range.
 */
import assert from 'node:assert/strict'
import { availableParallelism } from 'node:os'
import { describe, it } from 'node:test'
import { ConfigError, readConfig } from '../../src/config.js'

describe('readConfig', () => {
  it('has the documented defaults for the worker slots and the line limits', () => {
    const config = readConfig({})
    assert.deepEqual(config.workerSlots, { calls: 4, renders: 2, webhooks: 4 })
    assert.deepEqual(config.callLimits, { perDestination: 1, perSendingNumber: 4 })
    assert.equal(config.embeddedWorker, true)
    assert.equal(config.jobLeaseMs, 60_000)
  })

  it('reads them from the environment', () => {
    const config = readConfig({
      FAXD_WORKER_CALLS: '16',
      FAXD_WORKER_RENDERS: '2',
      FAXD_WORKER_WEBHOOKS: '8',
      FAXD_CALLS_PER_DESTINATION: '3',
      FAXD_CALLS_PER_SENDING_NUMBER: '30',
      FAXD_JOB_LEASE_SECONDS: '10',
    })
    assert.deepEqual(config.workerSlots, { calls: 16, renders: 2, webhooks: 8 })
    assert.deepEqual(config.callLimits, { perDestination: 3, perSendingNumber: 30 })
    assert.equal(config.jobLeaseMs, 10_000)
  })

  for (const [name, value] of [
    ['FAXD_WORKER_CALLS', '0'],
    ['FAXD_WORKER_RENDERS', '1.5'],
    ['FAXD_CALLS_PER_DESTINATION', 'many'],
    ['FAXD_CALLS_PER_SENDING_NUMBER', '-1'],
    ['FAXD_JOB_LEASE_SECONDS', '2'],
    ['FAXD_RENDER_THREADS', '0'],
  ] as const) {
    it(`refuses ${name}=${value}, naming the variable and the range`, () => {
      assert.throws(
        () => readConfig({ [name]: value }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.startsWith(`${name} must be a whole number from `) &&
          error.message.endsWith(`not "${value}"`),
      )
    })
  }
})

describe('FAXD_RENDER_THREADS', () => {
  it('is the cores there are unless the operator says how many', () => {
    assert.equal(readConfig({}).rendering.threads, availableParallelism())
    assert.equal(readConfig({ FAXD_RENDER_THREADS: '1' }).rendering.threads, 1)
  })
})

describe('FAXD_SANDBOX', () => {
  it('is bubblewrap unless the operator says none', () => {
    assert.equal(readConfig({}).rendering.sandbox, 'bubblewrap')
    assert.equal(readConfig({ FAXD_SANDBOX: 'none' }).rendering.sandbox, 'none')
  })

  it('refuses anything else, naming the choices', () => {
    assert.throws(
      () => readConfig({ FAXD_SANDBOX: 'off' }),
      /FAXD_SANDBOX must be bubblewrap or none, not "off"/,
    )
  })

  describe('the SIP trunk', () => {
    it('is off without FAXD_SIP_TRUNK, and has the documented defaults with it', () => {
      assert.equal(readConfig({}).sip, null)
      const sip = readConfig({ FAXD_SIP_TRUNK: 'trunk.example.net' }).sip
      assert.deepEqual(sip, {
        trunk: { host: 'trunk.example.net', port: 5060 },
        credentials: null,
        domain: 'trunk.example.net',
        listen: { host: '0.0.0.0', port: 5060 },
        publicAddress: null,
        mediaPorts: { first: 40000, last: 40999 },
        channels: 10,
        ringSeconds: 60,
        register: false,
        registerSeconds: 3600,
        callerId: 'sender',
        numberHeader: 'To',
        stationId: null,
        t38Version: 0,
        t38MaxRate: 14400,
        t38InInvite: false,
        ecm: true,
      })
    })

    it('reads every variable', () => {
      const sip = readConfig({
        FAXD_SIP_TRUNK: '[2001:db8::1]:5080',
        FAXD_SIP_USER: 'faxd',
        FAXD_SIP_PASSWORD: 'secret',
        FAXD_SIP_DOMAIN: 'sip.example.net',
        FAXD_SIP_LISTEN: '192.0.2.10:5070',
        FAXD_SIP_PUBLIC_ADDRESS: '198.51.100.7',
        FAXD_SIP_MEDIA_PORTS: '50000-50099',
        FAXD_SIP_CHANNELS: '30',
        FAXD_SIP_REGISTER: 'on',
        FAXD_SIP_REGISTER_SECONDS: '600',
        FAXD_SIP_CALLER_ID: '+15555550150',
        FAXD_SIP_NUMBER_HEADER: 'X-Called-Number',
        FAXD_FAX_TSI: 'ACME FAX',
        FAXD_T38_VERSION: '3',
        FAXD_T38_MAX_RATE: '9600',
        FAXD_SIP_T38_IN_INVITE: 'on',
        FAXD_FAX_ECM: 'off',
      }).sip
      assert.deepEqual(sip?.trunk, { host: '2001:db8::1', port: 5080 })
      assert.deepEqual(sip?.credentials, { username: 'faxd', password: 'secret' })
      assert.deepEqual(sip?.listen, { host: '192.0.2.10', port: 5070 })
      assert.deepEqual(sip?.mediaPorts, { first: 50000, last: 50099 })
      assert.equal(sip?.register, true)
      assert.equal(sip?.callerId, '+15555550150')
      assert.equal(sip?.numberHeader, 'X-Called-Number')
      assert.equal(sip?.stationId, 'ACME FAX')
      assert.equal(sip?.t38Version, 3)
      assert.equal(sip?.t38MaxRate, 9600)
      assert.equal(sip?.t38InInvite, true)
      assert.equal(sip?.ecm, false)
    })

    for (const [name, value] of [
      ['FAXD_SIP_TRUNK', 'trunk.example.net:99999'],
      ['FAXD_SIP_LISTEN', 'not a host:5060'],
      ['FAXD_SIP_MEDIA_PORTS', '40000'],
      ['FAXD_SIP_MEDIA_PORTS', '41000-40000'],
      ['FAXD_SIP_CHANNELS', '0'],
      ['FAXD_SIP_RING_SECONDS', '1'],
      ['FAXD_SIP_REGISTER', 'yes'],
      ['FAXD_SIP_CALLER_ID', '5555550150'],
      ['FAXD_T38_VERSION', '4'],
      ['FAXD_T38_MAX_RATE', '33600'],
      ['FAXD_FAX_ECM', '1'],
      ['FAXD_FAX_TSI', 'a station id longer than twenty'],
    ] as const) {
      it(`refuses ${name}=${value}, naming the variable`, () => {
        assert.throws(
          () => readConfig({ FAXD_SIP_TRUNK: 'trunk.example.net', [name]: value }),
          (error: unknown) => error instanceof ConfigError && error.message.includes(name),
        )
      })
    }

    it('refuses a password without a user', () => {
      assert.throws(
        () => readConfig({ FAXD_SIP_TRUNK: 'trunk.example.net', FAXD_SIP_PASSWORD: 'secret' }),
        /FAXD_SIP_PASSWORD is set but FAXD_SIP_USER is not/,
      )
    })
  })
})

describe('FAXD_TRUSTED_PROXIES', () => {
  it('is none by default, and a list of addresses and CIDR ranges', () => {
    assert.deepEqual(readConfig({}).trustedProxies, [])
    assert.deepEqual(
      readConfig({ FAXD_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8' }).trustedProxies,
      ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8'],
    )
  })

  for (const value of ['proxy.example.net', '10.0.0.0/33', '10.0.0.1/8/2', '::1/129', '*']) {
    it(`refuses ${value}, naming the variable`, () => {
      assert.throws(
        () => readConfig({ FAXD_TRUSTED_PROXIES: value }),
        /FAXD_TRUSTED_PROXIES must list IP addresses or CIDR ranges/,
      )
    })
  }
})
describe('FAXD_PUBLIC_URL', () => {
  it('is none by default, and a list of origins, written as the browser has them', () => {
    assert.deepEqual(readConfig({}).publicUrls, [])
    assert.deepEqual(
      readConfig({ FAXD_PUBLIC_URL: 'https://Fax.Example.com/, http://fax.lan:8080' }).publicUrls,
      ['https://fax.example.com', 'http://fax.lan:8080'],
    )
  })

  for (const value of [
    'fax.example.com',
    'ftp://fax.example.com',
    'https://fax.example.com/console',
    'https://fax.example.com/?a=1',
    'https://user@fax.example.com',
  ]) {
    it(`refuses ${value}, naming the variable`, () => {
      assert.throws(
        () => readConfig({ FAXD_PUBLIC_URL: value }),
        /FAXD_PUBLIC_URL must list http or https addresses without a path/,
      )
    })
  }
})

describe('the file store', () => {
  it('is the data folder by default', () => {
    assert.deepEqual(readConfig({}).fileStore, { kind: 'fs' })
    assert.deepEqual(readConfig({ FAXD_FILE_STORE: 'fs' }).fileStore, { kind: 'fs' })
  })

  it('is the PostgreSQL database with FAXD_FILE_STORE=postgres, which needs one', () => {
    assert.deepEqual(
      readConfig({ FAXD_FILE_STORE: 'postgres', DATABASE_URL: 'postgres://db/faxd' }).fileStore,
      { kind: 'postgres' },
    )
    assert.throws(
      () => readConfig({ FAXD_FILE_STORE: 'postgres' }),
      /FAXD_FILE_STORE=postgres needs DATABASE_URL/,
    )
  })

  it('is an S3 bucket with FAXD_FILE_STORE=s3, with its settings', () => {
    assert.deepEqual(
      readConfig({
        FAXD_FILE_STORE: 's3',
        FAXD_S3_BUCKET: 'faxd-files',
        FAXD_S3_PREFIX: 'prod/faxd',
        FAXD_S3_REGION: 'eu-central-1',
        FAXD_S3_ENDPOINT: 'http://127.0.0.1:9000',
        FAXD_S3_FORCE_PATH_STYLE: '1',
        FAXD_S3_SERVER_SIDE_ENCRYPTION: 'aws:kms',
      }).fileStore,
      {
        kind: 's3',
        s3: {
          bucket: 'faxd-files',
          prefix: 'prod/faxd/',
          region: 'eu-central-1',
          endpoint: 'http://127.0.0.1:9000',
          forcePathStyle: true,
          serverSideEncryption: 'aws:kms',
        },
      },
    )
    assert.deepEqual(
      readConfig({ FAXD_FILE_STORE: 's3', FAXD_S3_BUCKET: 'faxd', AWS_REGION: 'us-west-2' })
        .fileStore,
      {
        kind: 's3',
        s3: {
          bucket: 'faxd',
          prefix: '',
          region: 'us-west-2',
          endpoint: null,
          forcePathStyle: false,
          serverSideEncryption: null,
        },
      },
    )
  })

  for (const [env, named] of [
    [{ FAXD_FILE_STORE: 'disk' }, /FAXD_FILE_STORE must be fs, s3 or postgres/],
    [{ FAXD_FILE_STORE: 's3' }, /needs FAXD_S3_BUCKET/],
    [{ FAXD_FILE_STORE: 's3', FAXD_S3_BUCKET: 'Upper_Case' }, /FAXD_S3_BUCKET/],
    [{ FAXD_FILE_STORE: 's3', FAXD_S3_BUCKET: 'faxd', FAXD_S3_PREFIX: '../x' }, /FAXD_S3_PREFIX/],
    [
      { FAXD_FILE_STORE: 's3', FAXD_S3_BUCKET: 'faxd', FAXD_S3_ENDPOINT: 'minio:9000' },
      /FAXD_S3_ENDPOINT/,
    ],
    [
      { FAXD_FILE_STORE: 's3', FAXD_S3_BUCKET: 'faxd', FAXD_S3_FORCE_PATH_STYLE: 'yes' },
      /FAXD_S3_FORCE_PATH_STYLE/,
    ],
    [
      { FAXD_FILE_STORE: 's3', FAXD_S3_BUCKET: 'faxd', FAXD_S3_SERVER_SIDE_ENCRYPTION: 'on' },
      /FAXD_S3_SERVER_SIDE_ENCRYPTION/,
    ],
  ] as const) {
    it(`refuses ${JSON.stringify(env)}, naming the variable`, () => {
      assert.throws(
        () => readConfig(env),
        (error: unknown) => error instanceof ConfigError && named.test(error.message),
      )
    })
  }
})

describe('the metrics settings', () => {
  it('ask for no token and serve no worker metrics by default', () => {
    assert.deepEqual(readConfig({}).metrics, { token: null, workerListen: null })
  })

  it('read the token, and the worker address with 9464 as its port unless given', () => {
    const token = 'f3a9c2e1d4b5a6978877665544332211'
    assert.deepEqual(
      readConfig({ FAXD_METRICS_TOKEN: token, FAXD_METRICS_LISTEN: '0.0.0.0' }).metrics,
      { token, workerListen: { host: '0.0.0.0', port: 9464 } },
    )
    assert.deepEqual(readConfig({ FAXD_METRICS_LISTEN: '[::1]:0' }).metrics.workerListen, {
      host: '::1',
      port: 0,
    })
  })

  for (const [name, value] of [
    ['FAXD_METRICS_TOKEN', 'too-short'],
    ['FAXD_METRICS_TOKEN', 'sixteen chars but spaces'],
    ['FAXD_METRICS_LISTEN', '127.0.0.1:99999'],
    ['FAXD_METRICS_LISTEN', 'http://127.0.0.1:9464'],
  ] as const) {
    it(`refuses ${name}=${value}, naming the variable`, () => {
      assert.throws(
        () => readConfig({ [name]: value }),
        (error: unknown) => error instanceof ConfigError && error.message.includes(name),
      )
    })
  }
})
