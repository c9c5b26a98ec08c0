// Entry of the scan worker threads (bundled as dist/scan-worker.js next to the bundles that validate data).
import { parentPort } from 'node:worker_threads'
import { ChunkScanner, type ToWorker } from './chunk-scan.js'

const port = parentPort
if (!port) throw new Error('scan-worker.js runs as a worker thread of validate-data')
const scanner = new ChunkScanner()
port.on('message', (msg: ToWorker) => {
  const reply = scanner.handle(msg)
  if (reply) port.postMessage(reply)
})
