// How the runner talks to the people in the room. The CLI gives a terminal one; the desktop app its
// wizard; an unattended run (plan says `confirmations: none`) has none.
export interface CeremonyPrompter {
  /** One line of narration for the operator and witnesses. */
  say(text: string): void;
  /** A visible answer (the witness typing a check value back). */
  ask(question: string): Promise<string>;
  /** A hidden answer (the escrow passphrase): never echoed. */
  askSecret(question: string): Promise<string>;
}
