/** The seeded generator lives in src/shared; the tests import it from here as before. */
export * from '../../src/shared/seeded-random.js'
