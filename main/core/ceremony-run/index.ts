// Running planned ceremonies: the step runner with witness read-back, resume, rehearsal, transcripts.
export { runCeremony, type CeremonyOutcome, type RunCeremonyOptions } from './run-ceremony.ts';
export { runRehearsal, type RehearsalOptions, type RehearsalOutcome } from './rehearsal.ts';
export { ceremonySteps, type CeremonyStep, type StepKind } from './ceremony-steps.ts';
export {
  CEREMONIES_FOLDER,
  listStates,
  loadState,
  saveState,
  statePath,
  stateFolder,
  type CeremonyState,
  type ConfirmationStatus,
  type KeyConfirmation,
  type KeyRecord,
} from './ceremony-state.ts';
export type { CeremonyPrompter } from './prompter.ts';
export { checkValueMatches, displayCheckValue, normaliseCheckValue } from './witness-check.ts';
export { createStandInParams, type StandInRequest } from './stand-in-params.ts';
export { buildTranscript, type TranscriptBlock, type TranscriptDocument, type TranscriptSection } from './transcript-document.ts';
export { renderHtml, renderMarkdown } from './render-transcript.ts';
export { renderTranscript, writeTranscript, type TranscriptFormat } from './write-transcript.ts';
