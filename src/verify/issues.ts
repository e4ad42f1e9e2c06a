/** What the verifier reports: errors (the file breaks the FITS standard) and warnings. */

/** One finding, located as precisely as known. */
export interface VerifyIssue {
  severity: 'error' | 'warning';
  /** A stable code, e.g. MANDATORY_ORDER, KEYWORD_TYPE, DATA_FILL. */
  code: string;
  message: string;
  /** 0-based HDU index, when the finding belongs to one. */
  hdu?: number;
  /** 1-based card number in that HDU's header. */
  card?: number;
  /** Byte offset in the file. */
  offset?: number;
}

/** Collects issues for one HDU (or the file, when `hdu` is undefined). */
export class IssueList {
  readonly issues: VerifyIssue[] = [];
  constructor(private readonly hdu?: number) {}

  error(code: string, message: string, where: { card?: number; offset?: number } = {}): void {
    this.issues.push({ severity: 'error', code, message, ...(this.hdu !== undefined ? { hdu: this.hdu } : {}), ...where });
  }

  warning(code: string, message: string, where: { card?: number; offset?: number } = {}): void {
    this.issues.push({ severity: 'warning', code, message, ...(this.hdu !== undefined ? { hdu: this.hdu } : {}), ...where });
  }
}
