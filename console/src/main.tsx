/** The web console's entry: mounts the app on #app. */
import { render } from 'preact'
import { App } from './app.js'
import './styles.css'

const root = document.getElementById('app')
if (root !== null) {
  render(<App />, root)
}
