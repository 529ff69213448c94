export { createIpcHandlers, type HandleContext, type IpcHandlers, type IpcHandlerOptions } from './handlers.ts';
export { isTrustedSender, APP_ORIGIN, APP_PROTOCOL, APP_HOST } from './trusted-sender.ts';
export { SERVICE_CALLS } from './service-calls.ts';
export { createTranscriptPdfHandler, saveTranscriptPdf, type TranscriptPrinter, type TranscriptPdfOptions } from './transcript-pdf.ts';
