// A render process that answers at once and leaves: the last message it sends and its exit
// reach the parent close together, as a fast render's do under load (render-answer.test.ts).
import { writeFileSync } from 'node:fs'

process.once('message', (job) => {
  writeFileSync(job.outputPath, 'pages')
  process.send({ type: 'done', pages: 1, bytes: 5 }, undefined, {}, () => {
    process.disconnect()
  })
})
