import { describe, expect, it } from 'vitest';
import { attachmentName, formatBytes, importContentType, progressText } from '@/features/transfer/lib/files';

describe('transfer files', () => {
  it('reads the download name from Content-Disposition, safely', () => {
    expect(attachmentName('attachment; filename="notestack-20261129-0240.json"', 'x')).toBe('notestack-20261129-0240.json');
    expect(attachmentName("attachment; filename*=UTF-8''notes%20%C3%A9t%C3%A9.zip", 'x')).toBe('notes été.zip');
    expect(attachmentName('attachment; filename="../../etc/passwd"', 'x')).toBe('.._.._etc_passwd');
    expect(attachmentName(null, 'notes.json')).toBe('notes.json');
  });

  it('sends a zip as a zip and anything else as JSON', () => {
    expect(importContentType({ name: 'Notes.ZIP', type: '' })).toBe('application/zip');
    expect(importContentType({ name: 'export', type: 'application/x-zip-compressed' })).toBe('application/zip');
    expect(importContentType({ name: 'notes.json', type: 'application/json' })).toBe('application/json');
  });

  it('says how far a transfer is', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(progressText(512, 1024)).toBe('50% of 1.0 KB');
    expect(progressText(2 * 1024 * 1024, null)).toBe('2.0 MB so far');
  });
});
