import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createBackend } from './api-client.js'
import { App } from './app.js'
import './styles.css'

const root = document.getElementById('root')
if (root)
  createRoot(root).render(
    <StrictMode>
      <App backend={createBackend()} />
    </StrictMode>,
  )
