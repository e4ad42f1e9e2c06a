/**
 * The wcslib layer (wcs.c): axis types from CTYPEia, unit normalisation,
 * the celestial, spectral, logarithmic and linear parts set up from one
 * representation's keywords (wcsset), and the pixel ↔ world transforms
 * (wcsp2s / wcss2p) over structure-of-arrays coordinates, with wcslib's
 * per-axis validity flags.
 *
 * Pixel coordinates here are wcslib's: 1-based, FITS axis order.
 */
import { Celestial, CelestialParameterError } from './celestial.js';
import type { WcsKeywords } from './keywords.js';
import { Linear, SingularMatrixError } from './linear.js';
import { DistortionParameterError, dssDistortion, tpvDistortion, watDistortion } from './polynomial-distortion.js';
import type { WatSolution } from './wat.js';
import { createProjection, PROJECTION_CODES } from './projections/index.js';
import { ProjectionParameterError } from './projections/projection.js';
import { SpectralAxis, SpectralParameterError, isSpectralType, spectralType, translateAipsSpectral } from './spectral.js';
import { PI, UNDEFINED, cosd, sind } from './trig.js';
import { UnitError, unitScale } from './units.js';
import { TabularError, buildTables, type TabularArray, type TabularGroup } from './tabular.js';

/** Why a WCS cannot be set up; `keyword` names the keyword at fault when one is. */
export class WcsSetupError extends Error {
  constructor(
    message: string,
    readonly keyword?: string,
  ) {
    super(message);
  }
}

const ALIASES = ['NCP', 'GLS', 'TPU', 'TPV', 'TNX', 'ZPX'];

/** Is a 'TIME'-like CTYPE a recognised time axis (WCS Paper VII)? */
function isTimeType(ctype: string): boolean {
  const prefixes: [string, number][] = [
    ['TIME', 4],
    ['UTC', 3],
    ['TAI', 3],
    ['IAT', 3],
    ['TT', 2],
    ['TDB', 3],
    ['TDT', 3],
    ['GPS', 3],
    ['TCB', 3],
    ['TCG', 3],
    ['GMT', 3],
    ['UT1', 3],
    ['UT', 2],
    ['ET', 2],
  ];
  if (ctype.startsWith('LOCAL')) return true;
  for (const [p, nc0] of prefixes) {
    if (!ctype.startsWith(p)) continue;
    let nc = nc0;
    if (ctype.length === nc) return true;
    while (nc < 4) {
      if (ctype[nc] !== '-') return false;
      nc++;
    }
    const code = ctype.slice(4);
    return code === '-LOG' || code === '-TAB';
  }
  return false;
}

/** The wcslib-level coordinate system of one representation. */
export class WcsCore {
  readonly naxis: number;
  readonly key: string;
  readonly ctype: string[];
  readonly cunit: string[];
  readonly crpix: Float64Array;
  readonly crval: Float64Array;
  readonly cdelt: Float64Array;
  readonly pc: Float64Array;
  readonly cd: Float64Array;
  readonly crota: Float64Array;
  readonly altlin: number;
  readonly pv: { i: number; m: number; value: number }[];
  lonpole: number;
  latpole: number;
  readonly restfrq: number;
  readonly restwav: number;
  readonly velref: number;
  radesys: string;
  equinox: number;
  specsys: string;
  /** wcslib axis type codes (e.g. 2200 celestial, 3300 non-linear spectral, 400 log). */
  types: number[] = [];
  lng = -1;
  lat = -1;
  spec = -1;
  cubeface = -1;
  lngtyp = '';
  lattyp = '';
  cel: Celestial | null = null;
  spc: SpectralAxis | null = null;
  lin!: Linear;
  /** The projection code after alias translation ('' without celestial axes). */
  projection = '';
  /** -TAB lookup groups. */
  tabs: TabularGroup[] = [];
  private readonly dss: { amdx: number[]; amdy: number[] } | null;
  private readonly wat: WatSolution | null;
  /** The sequent polynomial distortion's origin: 'TPV', 'DSS', 'TNX' or 'ZPX' (null: none). */
  sequentKind: string | null = null;

  constructor(kw: WcsKeywords, tabArrays?: ReadonlyMap<string, TabularArray>) {
    const n = kw.naxis;
    this.naxis = n;
    this.key = kw.key;
    this.ctype = kw.ctype.map((s) => s.replace(/ +$/, ''));
    this.cunit = kw.cunit.map((s) => s.replace(/ +$/, ''));
    this.crpix = Float64Array.from(kw.crpix);
    this.crval = Float64Array.from(kw.crval);
    this.cdelt = Float64Array.from(kw.cdelt);
    this.pc = Float64Array.from(kw.pc);
    this.cd = Float64Array.from(kw.cd);
    this.crota = Float64Array.from(kw.crota);
    this.altlin = kw.altlin;
    this.pv = kw.pv.map((p) => ({ ...p }));
    this.lonpole = kw.lonpole;
    this.latpole = kw.latpole;
    this.restfrq = kw.restfrq;
    this.restwav = kw.restwav;
    this.velref = kw.velref;
    this.radesys = kw.radesys.replace(/ +$/, '');
    this.equinox = kw.equinox;
    this.specsys = kw.specsys.replace(/ +$/, '');
    this.dss = kw.dss ?? null;
    this.wat = kw.wat?.solution ?? null;
    if (n > 32) throw new WcsSetupError(`naxis must not exceed 32 (got ${n})`, 'WCSAXES');
    this.cdfix();
    this.setTypes();
    this.setUnits();
    this.setCelestial();
    this.setSpectral();
    this.setTabular(kw, tabArrays);
    this.setLinear();
    this.setFrameDefaults();
  }

  /** -TAB axes: the lookup groups from the arrays read by the I/O layer (wcstab + tabset). */
  private setTabular(kw: WcsKeywords, arrays: ReadonlyMap<string, TabularArray> | undefined): void {
    if (!this.types.some((t) => Math.trunc(t / 100) % 10 === 5)) return;
    const alt = this.alt();
    try {
      this.tabs = buildTables({ ...kw, ctype: this.ctype.map((c, i) => (Math.trunc(this.types[i]! / 100) % 10 === 5 ? (c.slice(0, 4) + '-TAB') : c)) }, arrays ?? new Map());
    } catch (e) {
      if (e instanceof TabularError) {
        const i = this.types.findIndex((t) => Math.trunc(t / 100) % 10 === 5);
        throw new WcsSetupError(`${e.message} (a -TAB axis needs its table: read the WCS with the file)`, `PS${i + 1}_0${alt}`);
      }
      throw e;
    }
  }

  private alt(): string {
    return this.key === ' ' ? '' : this.key;
  }

  /** wcsfix's cdfix: a CD matrix with an all-zero row and column gets CDi_i = 1. */
  private cdfix(): void {
    if (this.altlin & 1 || !(this.altlin & 2)) return;
    const n = this.naxis;
    for (let i = 0; i < n; i++) {
      let zero = true;
      for (let k = 0; k < n && zero; k++) if (this.cd[i * n + k] !== 0.0) zero = false;
      for (let k = 0; k < n && zero; k++) if (this.cd[k * n + i] !== 0.0) zero = false;
      if (zero) this.cd[i * n + i] = 1.0;
    }
  }

  /** wcs_types (with spcaips), throwing WcsSetupError as wcsset would. */
  private setTypes(): void {
    const n = this.naxis;
    const alt = this.alt();
    this.types = new Array(n).fill(0);
    let pcode = '';
    let requir = '';
    let ndx: 'lng' | 'lat' | null = null;
    for (let i = 0; i < n; i++) {
      let ctypei = this.ctype[i]!.slice(0, 15);
      // Early Paper IV syntax such as 'RA---TAN-SIP': drop the distortion code.
      if (ctypei.length === 12 && ctypei[8] === '-') {
        ctypei = ctypei.slice(0, 8).replace(/-+$/, '');
        if (ctypei.length === 0) ctypei = '';
      }
      let t = 0;
      if (ctypei.slice(4) === '-LOG') t = 400;
      else if (ctypei.slice(4) === '-TAB') t = 500;
      if (t) ctypei = ctypei.slice(0, 4).replace(/-+$/, '');
      this.types[i] = t;
      const aips = translateAipsSpectral(ctypei, this.velref);
      if (aips === 'bad-velref') {
        // wcslib leaves the CTYPE as it is when VELREF is invalid.
      } else if (aips) {
        ctypei = aips.ctype;
        this.ctype[i] = ctypei;
        if (!this.specsys && aips.specsys) this.specsys = aips.specsys;
      }
      if (!(ctypei.length === 8 && ctypei[4] === '-')) {
        if (ctypei === 'STOKES') {
          this.types[i] = 1100;
        } else if (ctypei === 'RA' || (ctypei.length === 4 && ctypei.slice(1) === 'LON') || (ctypei.length === 4 && ctypei.slice(2) === 'LN')) {
          this.types[i] += 2000;
          if (this.lng < 0) {
            this.lng = i;
            this.lngtyp = ctypei;
          }
        } else if (ctypei === 'DEC' || (ctypei.length === 4 && ctypei.slice(1) === 'LAT') || (ctypei.length === 4 && ctypei.slice(2) === 'LT')) {
          this.types[i] += 2001;
          if (this.lat < 0) {
            this.lat = i;
            this.lattyp = ctypei;
          }
        } else if (ctypei === 'CUBEFACE') {
          if (this.cubeface === -1) {
            this.types[i] = 2102;
            this.cubeface = i;
          } else {
            throw new WcsSetupError(`Multiple CUBEFACE axes (in CTYPE${this.cubeface + 1}${alt} and CTYPE${i + 1}${alt})`, `CTYPE${i + 1}${alt}`);
          }
        } else if (ctypei.length > 0 && isSpectralType(spectralType(ctypei))) {
          if (this.spec < 0) this.spec = i;
          this.types[i] += 3000;
        } else if (isTimeType(ctypei)) {
          this.types[i] += 4000;
        }
        continue;
      }
      // "4-3" form: a non-linear spectral axis?
      const st = spectralType(ctypei);
      if (isSpectralType(st)) {
        this.types[i] = 3300;
        if (this.spec >= 0) {
          throw new WcsSetupError(`Multiple spectral axes (in CTYPE${this.spec + 1}${alt} and CTYPE${i + 1}${alt})`, `CTYPE${i + 1}${alt}`);
        }
        this.spec = i;
        continue;
      }
      const code = ctypei.slice(5, 8);
      if (!PROJECTION_CODES.includes(code) && !ALIASES.includes(code)) {
        this.types[i] = -1;
        throw new WcsSetupError(`Unrecognized projection code (${ctypei.slice(5)} in CTYPE${i + 1}${alt})`, `CTYPE${i + 1}${alt}`);
      }
      this.types[i] = 2200;
      if (pcode === '') {
        pcode = code;
        const head = ctypei.slice(0, 4);
        if (head === 'RA--') {
          this.lng = i;
          this.lngtyp = 'RA';
          this.lattyp = 'DEC';
          ndx = 'lat';
          requir = `DEC--${pcode}`;
        } else if (head === 'DEC-') {
          this.lat = i;
          this.lngtyp = 'RA';
          this.lattyp = 'DEC';
          ndx = 'lng';
          requir = `RA---${pcode}`;
        } else if (ctypei.slice(1, 4) === 'LON') {
          this.lng = i;
          this.lngtyp = `${ctypei[0]}LON`;
          this.lattyp = `${ctypei[0]}LAT`;
          ndx = 'lat';
          requir = `${this.lattyp}-${pcode}`;
        } else if (ctypei.slice(1, 4) === 'LAT') {
          this.lat = i;
          this.lngtyp = `${ctypei[0]}LON`;
          this.lattyp = `${ctypei[0]}LAT`;
          ndx = 'lng';
          requir = `${this.lngtyp}-${pcode}`;
        } else if (ctypei.slice(2, 4) === 'LN') {
          this.lng = i;
          this.lngtyp = `${ctypei.slice(0, 2)}LN`;
          this.lattyp = `${ctypei.slice(0, 2)}LT`;
          ndx = 'lat';
          requir = `${this.lattyp}-${pcode}`;
        } else if (ctypei.slice(2, 4) === 'LT') {
          this.lat = i;
          this.lngtyp = `${ctypei.slice(0, 2)}LN`;
          this.lattyp = `${ctypei.slice(0, 2)}LT`;
          ndx = 'lng';
          requir = `${this.lngtyp}-${pcode}`;
        } else {
          this.types[i] = -1;
          this.lng = -1;
          this.lat = -1;
          throw new WcsSetupError(`Unrecognized celestial type (${ctypei.slice(0, 5)} in CTYPE${i + 1}${alt})`, `CTYPE${i + 1}${alt}`);
        }
        if (this.lat >= 0) this.types[i]!++;
      } else {
        if (this.lat < 0) this.types[i]!++;
        if (ctypei.slice(0, 8) !== requir.slice(0, 8)) {
          this.lng = -1;
          this.lat = -1;
          throw new WcsSetupError(`Inconsistent projection types (expected ${requir}, got ${ctypei} in CTYPE${i + 1}${alt})`, `CTYPE${i + 1}${alt}`);
        }
        if (ndx) this[ndx] = i;
        requir = '';
      }
    }
    if (requir !== '') {
      this.lng = -1;
      this.lat = -1;
      throw new WcsSetupError('Unmatched celestial axes: a celestial CTYPE needs its longitude/latitude partner', `CTYPE${alt}`);
    }
  }

  /** wcs_units: convert CUNITia to the canonical unit of celestial and spectral axes. */
  private setUnits(): void {
    const n = this.naxis;
    const alt = this.alt();
    for (let i = 0; i < n; i++) {
      let units: string;
      const family = Math.trunc(this.types[i]! / 1000);
      if (family === 2) {
        units = 'deg';
      } else if (family === 3) {
        const st = spectralType(this.ctype[i]!.slice(0, 8));
        units = isSpectralType(st) ? st.units : '';
      } else {
        continue;
      }
      if (Math.trunc(this.types[i]! / 100) % 10 === 5) continue;
      if (this.cunit[i]) {
        let scale: number;
        try {
          scale = unitScale(this.cunit[i]!, units);
        } catch (e) {
          const why = e instanceof UnitError ? e.message : String(e);
          throw new WcsSetupError(`In CUNIT${i + 1}${alt}: ${why}`, `CUNIT${i + 1}${alt}`);
        }
        if (scale !== 1.0) {
          this.cdelt[i] = this.cdelt[i]! * scale;
          this.crval[i] = this.crval[i]! * scale;
          for (let j = 0; j < n; j++) this.cd[i * n + j] = this.cd[i * n + j]! * scale;
          this.cunit[i] = units;
        }
      } else {
        this.cunit[i] = units;
      }
    }
  }

  /** The celestial part of wcsset: TPV translation, PVi_m, aliases, celset. */
  private setCelestial(): void {
    if (!(this.lng >= 0 && this.types[this.lng] === 2200)) return;
    const alt = this.alt();
    const lng = this.lng;
    const lat = this.lat;
    let code = this.ctype[lng]!.slice(5, 8);
    const tpv = code === 'TPU' || code === 'TPV';
    let distortion = null;
    let pvs = this.pv;
    if (code === 'TNX' || code === 'ZPX') {
      // The WAT distortion itself was read with the keywords (wcspih); the projection is TAN or ZPN.
      code = code === 'TNX' ? 'TAN' : 'ZPN';
      this.ctype[lng] = this.ctype[lng]!.slice(0, 5) + code;
      this.ctype[lat] = this.ctype[lat]!.slice(0, 5) + code;
    }
    if (tpv) {
      const pvLng = new Map<number, number>();
      const pvLat = new Map<number, number>();
      for (const p of pvs) {
        if (p.i === lng + 1) pvLng.set(p.m, p.value);
        else if (p.i === lat + 1) pvLat.set(p.m, p.value);
      }
      try {
        distortion = tpvDistortion(this.naxis, lng, lat, pvLng, pvLat);
      } catch (e) {
        const bad = [...pvLng.keys()].some((k) => k > 39) ? `PV${lng + 1}_` : `PV${lat + 1}_`;
        throw new WcsSetupError((e as Error).message, bad);
      }
      pvs = pvs.filter((p) => p.i - 1 !== lng && p.i - 1 !== lat);
      code = 'TAN';
      this.ctype[lng] = this.ctype[lng]!.slice(0, 5) + 'TAN';
      this.ctype[lat] = this.ctype[lat]!.slice(0, 5) + 'TAN';
    }
    const prjCode = code === 'NCP' ? 'SIN' : code === 'GLS' ? 'SFL' : code;
    const prj = createProjection(prjCode)!;
    const cel = new Celestial(prj);
    cel.ref[0] = this.crval[lng]!;
    cel.ref[1] = this.crval[lat]!;
    cel.ref[2] = this.lonpole;
    cel.ref[3] = this.latpole;
    for (const p of pvs) {
      const i = p.i === 0 ? lat : p.i - 1;
      const m = p.m;
      if (i === lat) {
        if (m < 30) prj.pv[m] = p.value;
      } else if (i === lng) {
        switch (m) {
          case 0:
            cel.offset = p.value !== 0.0;
            break;
          case 1:
            cel.phi0 = p.value;
            break;
          case 2:
            cel.theta0 = p.value;
            break;
          case 3:
            cel.ref[2] = p.value;
            break;
          case 4:
            cel.ref[3] = p.value;
            break;
          default:
            throw new WcsSetupError(`PV${i + 1}_${m}${alt}: Unrecognized coordinate transformation parameter`, `PV${i + 1}_${m}${alt}`);
        }
      }
    }
    if (code === 'GLS') {
      cel.offset = true;
      cel.phi0 = 0.0;
      cel.theta0 = this.crval[lat]!;
    } else if (code === 'NCP') {
      if (cel.ref[1] === 0.0) {
        throw new WcsSetupError('Invalid projection: NCP blows up on the equator', `CRVAL${lat + 1}${alt}`);
      }
      prj.pv[1] = 0.0;
      prj.pv[2] = cosd(cel.ref[1]!) / sind(cel.ref[1]!);
    }
    prj.r0 = 0.0;
    try {
      cel.setup();
    } catch (e) {
      if (e instanceof ProjectionParameterError) {
        throw new WcsSetupError(`${e.message} (check PV${lat + 1}_m${alt})`, `PV${lat + 1}_m${alt}`);
      }
      if (e instanceof CelestialParameterError) {
        throw new WcsSetupError(e.message, `LONPOLE${alt}`);
      }
      throw e;
    }
    this.lonpole = cel.ref[2]!;
    this.latpole = cel.ref[3]!;
    this.cel = cel;
    this.projection = prj.code;
    this.pendingDistortion = distortion;
  }

  private pendingDistortion: ReturnType<typeof tpvDistortion> | null = null;

  /** The spectral part of wcsset. */
  private setSpectral(): void {
    if (!(this.spec >= 0 && this.types[this.spec] === 3300)) return;
    const alt = this.alt();
    const pv = new Map<number, number>();
    for (const p of this.pv) if (p.i - 1 === this.spec && p.m < 7) pv.set(p.m, p.value);
    try {
      this.spc = new SpectralAxis(this.ctype[this.spec]!, this.crval[this.spec]!, this.restfrq, this.restwav, pv);
    } catch (e) {
      if (e instanceof SpectralParameterError) {
        const kw = /rest/i.test(e.message) ? `RESTFRQ${alt}` : `CTYPE${this.spec + 1}${alt}`;
        throw new WcsSetupError(`${e.message} (spectral axis ${this.spec + 1})`, kw);
      }
      throw e;
    }
  }

  /** The linear part of wcsset: PC from CD or CROTA, then linset. */
  private setLinear(): void {
    const n = this.naxis;
    const alt = this.alt();
    const altlin = this.altlin & 15;
    const pc = Float64Array.from(this.pc);
    const cdelt = Float64Array.from(this.cdelt);
    if (altlin > 1 && !(altlin & 1)) {
      if (altlin & 2 && !(altlin & 8)) {
        pc.set(this.cd);
        cdelt.fill(1.0);
      } else if (altlin & 4) {
        const i = this.lng;
        const j = this.lat;
        if (i >= 0 && j >= 0) {
          const rho = this.crota[j]!;
          if (cdelt[i] === 0.0) {
            throw new WcsSetupError(`Singular transformation matrix, CDELT${i + 1}${alt} is zero`, `CDELT${i + 1}${alt}`);
          }
          const lambda = cdelt[j]! / cdelt[i]!;
          pc[i * n + i] = pc[j * n + j] = cosd(rho);
          pc[i * n + j] = pc[j * n + i] = sind(rho);
          pc[i * n + j] = pc[i * n + j]! * -lambda;
          pc[j * n + i] = pc[j * n + i]! / lambda;
        }
      }
    }
    const lin = new Linear(n, Float64Array.from(this.crpix), pc, cdelt);
    lin.disseq = this.pendingDistortion;
    if (this.pendingDistortion) this.sequentKind = 'TPV';
    if (this.dss) this.sequentKind = 'DSS';
    else if (this.wat) this.sequentKind = this.wat.wtype.toUpperCase();
    if (this.dss) {
      try {
        lin.disseq = dssDistortion(n, this.dss.amdx, this.dss.amdy);
      } catch (e) {
        if (e instanceof DistortionParameterError) throw new WcsSetupError(e.message, 'AMDX');
        throw e;
      }
    } else if (this.wat) {
      try {
        lin.disseq = watDistortion(n, this.wat.wtype, this.wat.axes);
      } catch (e) {
        if (e instanceof DistortionParameterError) throw new WcsSetupError(e.message, 'WAT1_001');
        throw e;
      }
    }
    try {
      lin.setup();
    } catch (e) {
      if (e instanceof SingularMatrixError) {
        const kw = altlin & 2 && !(altlin & 1) ? `CD${alt}` : altlin & 1 ? `PC${alt}` : `CDELT${alt}`;
        throw new WcsSetupError(`Singular transformation matrix: ${e.message}`, kw);
      }
      if (e instanceof DistortionParameterError) throw new WcsSetupError(e.message, `PV${alt}`);
      throw e;
    }
    this.lin = lin;
  }

  /** RADESYS/EQUINOX defaults for equatorial and ecliptic axes (end of wcsset). */
  private setFrameDefaults(): void {
    if (this.lngtyp === 'RA' || this.lngtyp === 'ELON' || this.lngtyp === 'HLON') {
      if (this.radesys === '') {
        if (this.equinox === UNDEFINED) this.radesys = 'ICRS';
        else if (this.equinox < 1984.0) this.radesys = 'FK4';
        else this.radesys = 'FK5';
      } else if (this.radesys === 'ICRS' || this.radesys === 'GAPPT') {
        this.equinox = UNDEFINED;
      } else if (this.equinox === UNDEFINED) {
        if (this.radesys === 'FK5') this.equinox = 2000.0;
        else if (this.radesys === 'FK4' || this.radesys === 'FK4-NO-E') this.equinox = 1950.0;
      }
    } else {
      this.radesys = '';
      this.equinox = UNDEFINED;
    }
  }

  /** True for a -LOG axis. */
  private isLog(i: number): boolean {
    return Math.trunc(this.types[i]! / 100) % 10 === 4;
  }

  /**
   * wcsp2s: pixel coordinates counted from `origin` (1 = FITS, 0 = astropy
   * origin 0) → world, for `count` points. Returns, when some point has an
   * undefined value, a mask with a bit per such axis (astropy writes NaN there).
   * `world` may be the same arrays as `pix`.
   */
  p2s(count: number, pix: readonly ArrayLike<number>[], world: Float64Array[], origin = 1): Uint32Array | null {
    const n = this.naxis;
    let bad: Uint32Array | null = null;
    const mark = (stat: Uint8Array, bits: number): void => {
      for (let k = 0; k < count; k++) if (stat[k]) (bad ??= new Uint32Array(count))[k] = bad[k]! | bits;
    };
    // Intermediate coordinates are computed in place in the world arrays.
    this.lin.p2x(count, pix, world, origin);
    // The CUBEFACE intermediate value is needed after its axis got its world value.
    const face = this.cubeface !== -1 ? Float64Array.from(world[this.cubeface]!.subarray(0, count)) : null;
    for (let i = 0; i < n; i++) {
      const type = Math.trunc(this.types[i]! / 100) % 10;
      if (type <= 1) {
        const w = world[i]!;
        const c = this.crval[i]!;
        for (let k = 0; k < count; k++) w[k] = w[k]! + c;
      } else if (this.types[i] === 2200) {
        if (i !== this.lng) continue;
        const stat = this.celestialP2s(count, world, face);
        if (stat) mark(stat, (1 << this.lng) | (1 << this.lat));
      } else if (type === 3 || type === 4) {
        const w = world[i]!;
        const stat = new Uint8Array(count);
        if (this.types[i] === 3300) {
          this.spc!.x2s(count, w, stat);
        } else if (type === 4) {
          const crval = this.crval[i]!;
          if (crval <= 0.0) {
            throw new WcsSetupError(`CRVAL${i + 1} must be positive for a logarithmic axis`, `CRVAL${i + 1}${this.alt()}`);
          }
          for (let k = 0; k < count; k++) w[k] = crval * Math.exp(w[k]! / crval);
        }
        mark(stat, 1 << i);
      }
    }
    for (const tab of this.tabs) {
      const stat = new Uint8Array(count);
      tab.x2s(count, world, world, stat);
      mark(stat, tab.map.reduce((b, i) => b | (1 << i), 0));
    }
    return bad;
  }

  /** The celestial part of p2s, in place on the world arrays; returns the status (null when all are valid). */
  private celestialP2s(count: number, world: Float64Array[], cf: Float64Array | null): Uint8Array | null {
    const x = world[this.lng]!;
    const y = world[this.lat]!;
    const stat = new Uint8Array(count);
    let pre: Uint8Array | null = null;
    if (cf) {
      pre = new Uint8Array(count);
      const prj = this.cel!.prj;
      const offset = prj.r0 === 0.0 ? 90.0 : (prj.r0 * PI) / 2.0;
      for (let k = 0; k < count; k++) {
        const face = Math.trunc(cf[k]! + 0.5);
        if (Math.abs(cf[k]! - face) > 1e-10) {
          pre[k] = 1;
          continue;
        }
        switch (face) {
          case 0:
            y[k] = y[k]! + offset;
            break;
          case 1:
            break;
          case 2:
            x[k] = x[k]! + offset;
            break;
          case 3:
            x[k] = x[k]! + offset * 2;
            break;
          case 4:
            x[k] = x[k]! + offset * 3;
            break;
          case 5:
            y[k] = y[k]! - offset;
            break;
          default:
            pre[k] = 1;
        }
      }
    }
    // Native coordinates and then celestial ones overwrite (x, y) point by point.
    this.cel!.x2s(count, x, y, x, y, x, y, stat);
    let any = false;
    for (let k = 0; k < count; k++) {
      if (pre && pre[k]) stat[k] = 1;
      if (stat[k]) any = true;
    }
    return any ? stat : null;
  }

  /**
   * wcss2p: world → pixel coordinates counted from `origin`. Returns a mask
   * with a bit per axis whose pixel value is undefined, or null.
   */
  s2p(count: number, world: readonly ArrayLike<number>[], pix: Float64Array[], origin = 1): Uint32Array | null {
    const n = this.naxis;
    let bad: Uint32Array | null = null;
    const mark = (stat: Uint8Array, bits: number): void => {
      for (let k = 0; k < count; k++) if (stat[k]) (bad ??= new Uint32Array(count))[k] = bad[k]! | bits;
    };
    // Intermediate coordinates go in the pixel arrays, then linx2p works in place.
    const img = pix;
    for (let i = 0; i < n; i++) {
      const type = Math.trunc(this.types[i]! / 100) % 10;
      if (type <= 1) {
        const w = world[i]!;
        const o = img[i]!;
        const c = this.crval[i]!;
        for (let k = 0; k < count; k++) o[k] = w[k]! - c;
      } else if (this.types[i] === 2200) {
        if (i !== this.lng) continue;
        const stat = this.celestialS2p(count, world, img);
        if (stat) mark(stat, (1 << this.lng) | (1 << this.lat));
      } else if (type === 3 || type === 4) {
        const o = img[i]!;
        const w = world[i]!;
        for (let k = 0; k < count; k++) o[k] = w[k]!;
        const stat = new Uint8Array(count);
        if (this.types[i] === 3300) {
          this.spc!.s2x(count, o, stat);
        } else if (type === 4) {
          const crval = this.crval[i]!;
          if (crval <= 0.0) {
            throw new WcsSetupError(`CRVAL${i + 1} must be positive for a logarithmic axis`, `CRVAL${i + 1}${this.alt()}`);
          }
          for (let k = 0; k < count; k++) {
            if (o[k]! > 0.0) o[k] = crval * Math.log(o[k]! / crval);
            else stat[k] = 1;
          }
        }
        mark(stat, 1 << i);
      }
    }
    for (const tab of this.tabs) {
      const stat = new Uint8Array(count);
      tab.s2x(count, world, img, stat);
      mark(stat, tab.map.reduce((b, i) => b | (1 << i), 0));
    }
    const failed = this.lin.x2p(count, img, pix, origin);
    if (failed) {
      let disaxes = 0;
      for (let i = 0; i < n; i++) if (this.lin.disseq?.distorts(i) || this.lin.dispre?.distorts(i)) disaxes |= 1 << i;
      mark(failed, disaxes);
    }
    return bad;
  }

  private celestialS2p(count: number, world: readonly ArrayLike<number>[], img: Float64Array[]): Uint8Array | null {
    const lng = this.lng;
    const lat = this.lat;
    const stat = new Uint8Array(count);
    const x = img[lng]!;
    const y = img[lat]!;
    const wl = world[lng]!;
    const wb = world[lat]!;
    if (wl instanceof Float64Array && wb instanceof Float64Array) {
      this.cel!.s2x(count, wl, wb, x, y, x, y, stat);
    } else {
      x.set(Float64Array.from({ length: count }, (_, k) => wl[k]!));
      y.set(Float64Array.from({ length: count }, (_, k) => wb[k]!));
      this.cel!.s2x(count, x, y, x, y, x, y, stat);
    }
    if (this.cubeface !== -1) {
      const prj = this.cel!.prj;
      const offset = prj.r0 === 0.0 ? 90.0 : (prj.r0 * PI) / 2.0;
      const cf = img[this.cubeface]!;
      for (let k = 0; k < count; k++) {
        if (y[k]! < -0.5 * offset) {
          y[k] = y[k]! + offset;
          cf[k] = 5.0;
        } else if (y[k]! > 0.5 * offset) {
          y[k] = y[k]! - offset;
          cf[k] = 0.0;
        } else if (x[k]! > 2.5 * offset) {
          x[k] = x[k]! - 3.0 * offset;
          cf[k] = 4.0;
        } else if (x[k]! > 1.5 * offset) {
          x[k] = x[k]! - 2.0 * offset;
          cf[k] = 3.0;
        } else if (x[k]! > 0.5 * offset) {
          x[k] = x[k]! - offset;
          cf[k] = 2.0;
        } else {
          cf[k] = 1.0;
        }
      }
    }
    for (let k = 0; k < count; k++) if (stat[k]) return stat;
    return null;
  }
}
