/**
 * `@arbor/registry`: typed, race-free names and groups for Arbor actors.
 *
 * `@arbor/registry`: typed, race-free names and groups for Arbor actors — unique names
 * released atomically when their actor exits, naming at spawn (and so on every supervisor
 * restart), groups with broadcast, metadata, and a change stream.
 *
 * @packageDocumentation
 * @module @arbor/registry
 */

export * as Registry from "./Registry.ts"
