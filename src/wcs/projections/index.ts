/**
 * Projection codes → projection classes (wcslib's prjset dispatch).
 */
import type { Projection } from './projection.js';
import { AirProjection, ArcProjection, AzpProjection, SinProjection, StgProjection, SzpProjection, TanProjection, ZeaProjection, ZpnProjection } from './zenithal.js';
import { CarProjection, CeaProjection, CypProjection, MerProjection } from './cylindrical.js';
import { AitProjection, MolProjection, ParProjection, SflProjection } from './pseudocylindrical.js';
import { CodProjection, CoeProjection, CooProjection, CopProjection } from './conic.js';
import { BonProjection, PcoProjection } from './polyconic.js';
import { CscProjection, QscProjection, TscProjection } from './quadcube.js';
import { HpxProjection, XphProjection } from './healpix.js';

export { Projection, ProjectionParameterError, type ProjectionCategory, PVN } from './projection.js';

const FACTORIES: Record<string, () => Projection> = {
  AZP: () => new AzpProjection(),
  SZP: () => new SzpProjection(),
  TAN: () => new TanProjection(),
  STG: () => new StgProjection(),
  SIN: () => new SinProjection(),
  ARC: () => new ArcProjection(),
  ZPN: () => new ZpnProjection(),
  ZEA: () => new ZeaProjection(),
  AIR: () => new AirProjection(),
  CYP: () => new CypProjection(),
  CEA: () => new CeaProjection(),
  CAR: () => new CarProjection(),
  MER: () => new MerProjection(),
  SFL: () => new SflProjection(),
  PAR: () => new ParProjection(),
  MOL: () => new MolProjection(),
  AIT: () => new AitProjection(),
  COP: () => new CopProjection(),
  COE: () => new CoeProjection(),
  COD: () => new CodProjection(),
  COO: () => new CooProjection(),
  BON: () => new BonProjection(),
  PCO: () => new PcoProjection(),
  TSC: () => new TscProjection(),
  CSC: () => new CscProjection(),
  QSC: () => new QscProjection(),
  HPX: () => new HpxProjection(),
  XPH: () => new XphProjection(),
};

/** The 28 projection codes of WCS Paper II (and HPX/XPH), in wcslib's order. */
export const PROJECTION_CODES: readonly string[] = Object.keys(FACTORIES);

/** A fresh, not yet set up projection for a code, or null for an unknown code. */
export function createProjection(code: string): Projection | null {
  const make = FACTORIES[code];
  return make ? make() : null;
}
