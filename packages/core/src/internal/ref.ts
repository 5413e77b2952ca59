/**
 * The object behind an `ActorRef`: the actor's id and label, and — privately — its cell. A
 * user holds this, never the cell itself; one per actor, so refs compare by identity.
 *
 * @internal
 */
import type { Cell } from "./cell.ts"

const TypeId = "~@arbor/core/ActorRef"

export class Ref {
  readonly id: number
  readonly label: string | undefined
  readonly #cell: Cell

  constructor(cell: Cell) {
    this.#cell = cell
    this.id = cell.id
    this.label = cell.label
  }

  /**
   * The cell behind `ref`; `undefined` for anything that is not a `Ref` (a bad argument from
   * JavaScript fails where the operation first uses the cell, as a defect of its effect).
   */
  static cellOf(ref: unknown): Cell {
    return (ref instanceof Ref ? ref.#cell : undefined) as Cell
  }

  toString(): string {
    return this.label === undefined ? `ActorRef(#${this.id})` : `ActorRef(${this.label}#${this.id})`
  }

  toJSON(): unknown {
    return { _id: "ActorRef", id: this.id, label: this.label }
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString()
  }
}

// the protocol's type-level marker (see `ActorRef.ActorRef`), shared by every ref
Object.defineProperty(Ref.prototype, TypeId, { value: { _Msg: (_: never) => _ } })
