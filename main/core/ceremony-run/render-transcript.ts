// Renders a transcript document as Markdown or as a printable HTML page (A4 and Letter: @page with
// margins only, no fixed width; tables never split a row across pages; a QR code with the ceremony
// id, plan hash and audit chain head as inline SVG).
import QRCode from 'qrcode';
import type { TranscriptBlock, TranscriptDocument } from './transcript-document.ts';

const SIGNATURE_LINE = '______________________________';

function markdownCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function markdownBlock(block: TranscriptBlock): string {
  switch (block.kind) {
    case 'paragraph':
      return block.text;
    case 'fields':
      return ['| | |', '|---|---|', ...block.rows.map(([name, value]) => `| ${markdownCell(name)} | ${markdownCell(value)} |`)].join('\n');
    case 'table':
      if (block.rows.length === 0) return '(none)';
      return [`| ${block.header.map(markdownCell).join(' | ')} |`, `|${block.header.map(() => '---').join('|')}|`, ...block.rows.map((row) => `| ${row.map(markdownCell).join(' | ')} |`)].join('\n');
    case 'signatures':
      return block.people.map((person) => `${person.role}: ${person.name}\n\nSignature: ${SIGNATURE_LINE}  Date: ${SIGNATURE_LINE}`).join('\n\n');
  }
}

export function renderMarkdown(document: TranscriptDocument): string {
  const parts = [`# ${document.title}`, `**${document.banner}**`];
  for (const section of document.sections) parts.push(`## ${section.heading}`, ...section.blocks.map(markdownBlock));
  parts.push(`QR code content: \`${document.qrText}\``);
  return `${parts.join('\n\n')}\n`;
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/** Hashes, ids and paths have no break points: only they may break anywhere (other words stay whole). */
function cell(text: string): string {
  const long = text.split(/\s+/).some((word) => word.length > 20);
  return `<td${long ? ' class="long"' : ''}>${escapeHtml(text)}</td>`;
}

function htmlBlock(block: TranscriptBlock): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p>${escapeHtml(block.text)}</p>`;
    case 'fields':
      return `<table class="fields"><tbody>${block.rows.map(([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th>${cell(value)}</tr>`).join('')}</tbody></table>`;
    case 'table':
      if (block.rows.length === 0) return '<p>(none)</p>';
      return `<table><thead><tr>${block.header.map((cell) => `<th scope="col">${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>${block.rows
        .map((row) => `<tr>${row.map(cell).join('')}</tr>`)
        .join('')}</tbody></table>`;
    case 'signatures':
      return `<div class="signatures">${block.people
        .map((person) => `<div class="signature"><div class="who">${escapeHtml(person.role)}: ${escapeHtml(person.name)}</div><div class="line">Signature</div><div class="line">Date</div></div>`)
        .join('')}</div>`;
  }
}

const PRINT_CSS = `
@page { margin: 14mm 12mm; }
html { font: 10pt/1.35 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #000; background: #fff; }
body { margin: 0 auto; max-width: 180mm; }
h1 { font-size: 15pt; margin: 0 0 4pt; }
h2 { font-size: 12pt; margin: 12pt 0 4pt; border-bottom: 1px solid #000; break-after: avoid; page-break-after: avoid; }
.banner { font-weight: bold; padding: 4pt 6pt; border: 2px solid #000; margin: 6pt 0; }
.banner.rehearsal { background: #eee; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; table-layout: auto; }
th, td { border: 1px solid #555; padding: 2pt 4pt; text-align: left; vertical-align: top; overflow-wrap: break-word; }
td.long { word-break: break-all; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 8.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.fields th { width: 28%; font-weight: normal; color: #333; }
.header { display: flex; justify-content: space-between; gap: 8mm; align-items: flex-start; }
.qr { width: 34mm; height: 34mm; flex: none; }
.qr svg { width: 100%; height: 100%; }
.signatures { display: grid; grid-template-columns: 1fr 1fr; gap: 10mm 12mm; margin-top: 8mm; break-inside: avoid; page-break-inside: avoid; }
.signature .who { margin-bottom: 12mm; }
.signature .line { border-top: 1px solid #000; padding-top: 2pt; margin-bottom: 10mm; font-size: 8pt; color: #333; }
@media print { .signatures, section.signatures-section { break-inside: avoid; page-break-inside: avoid; } }
`;

export async function renderHtml(document: TranscriptDocument): Promise<string> {
  const qrSvg = await QRCode.toString(document.qrText, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  const rehearsal = document.title.startsWith('REHEARSAL');
  const sections = document.sections
    .map((section) => `<section${section.heading === 'Signatures' ? ' class="signatures-section"' : ''}><h2>${escapeHtml(section.heading)}</h2>${section.blocks.map(htmlBlock).join('\n')}</section>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(document.title)}</title>
<style>${PRINT_CSS}</style>
</head>
<body>
<div class="header"><div><h1>${escapeHtml(document.title)}</h1><div class="banner${rehearsal ? ' rehearsal' : ''}">${escapeHtml(document.banner)}</div></div><div class="qr" title="${escapeHtml(document.qrText)}">${qrSvg}</div></div>
${sections}
<p class="qr-text">QR code content: <code>${escapeHtml(document.qrText)}</code></p>
</body>
</html>
`;
}
