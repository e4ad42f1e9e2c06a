/**
 * `fitsflow/arrow`: FitsTable ⇄ apache-arrow Table (apache-arrow is an
 * optional peer dependency, needed only here).
 * @packageDocumentation
 * @module fitsflow/arrow
 */
export { toArrow, fromArrow, type ArrowModule, type ArrowTable } from '../arrow/arrow.js';
