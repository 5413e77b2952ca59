/** `node --import ./snapshot-hooks.js`: resolves `@arbor/*` to the run's snapshot (see snapshot.ts). */
import { register } from "node:module"

register("./snapshot.js", import.meta.url)
