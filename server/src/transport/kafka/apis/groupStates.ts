// Group states as Kafka writes them.

/** Brook's state names (empty, assigning, ...) as Kafka writes them (Empty, Assigning, ...); classic names stay. */
export function kafkaGroupState(state: string): string {
  return state.length === 0 ? state : state[0]!.toUpperCase() + state.slice(1);
}
