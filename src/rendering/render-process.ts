/**
 * The entry point of a render child process (see isolated-renderer.ts). It takes one RenderJob
 * from its parent, renders it, reports progress and the outcome, and exits. Whatever goes wrong
 * in here, including a crash, ends this process only.
 */
import { renderToTiff } from './render-to-tiff.js'
import type { RenderJob, RenderMessage } from './render-job.js'
import { asRenderingError } from './rendering-error.js'

function send(message: RenderMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) {
      resolve()
      return
    }
    process.send(message, undefined, {}, () => {
      resolve()
    })
  })
}

process.once('message', (job: RenderJob) => {
  renderToTiff(job, (progress) => {
    void send({ type: 'progress', ...progress })
  })
    .then(async ({ pages, bytes }) => send({ type: 'done', pages, bytes }))
    .catch(async (error: unknown) => {
      const failure = asRenderingError(error)
      await send({ type: 'failed', status: failure.status, message: failure.message })
    })
    .finally(() => {
      // The answer is on its way (send resolves once it is written): ends here, not when the
      // event loop has drained, which took from 40 ms to most of a second longer.
      process.exit(0)
    })
})
