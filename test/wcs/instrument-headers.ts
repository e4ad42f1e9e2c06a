/**
 * Headers written the way instruments and pipelines write them (solar
 * helioprojective in arcsec, Carrington maps, radio cubes with AIPS spectral
 * types and CROTA, ALMA/VLA-style cubes, IFU cubes in Angstrom, log-linear
 * spectra, time axes, HEALPix, ESO/2MASS/IRAS styles), for the astropy
 * comparison in instrument-headers.test.ts.
 */
import { kvCard } from './random-headers.js';

export interface InstrumentHeader {
  name: string;
  cards: string[];
  /** Pixel ranges per axis (0-based) to sample. */
  shape: number[];
}

const k = kvCard;
const image = (naxes: number[]): string[] => [
  'SIMPLE  =                    T'.padEnd(80),
  k('BITPIX', -32),
  k('NAXIS', naxes.length),
  ...naxes.map((n, i) => k(`NAXIS${i + 1}`, n)),
];

export const INSTRUMENT_HEADERS: InstrumentHeader[] = [
  {
    name: 'SDO/AIA-like helioprojective TAN in arcsec with CROTA2',
    shape: [4096, 4096],
    cards: [
      ...image([4096, 4096]),
      k('CTYPE1', 'HPLN-TAN'), k('CTYPE2', 'HPLT-TAN'), k('CUNIT1', 'arcsec'), k('CUNIT2', 'arcsec'),
      k('CRPIX1', 2053.44), k('CRPIX2', 2043.21), k('CRVAL1', 0.0), k('CRVAL2', 0.0),
      k('CDELT1', 0.600698), k('CDELT2', 0.600698), k('CROTA2', -0.1378),
      k('DATE-OBS', '2017-09-06T12:00:09.35'), k('DSUN_OBS', 1.5085e11), k('RSUN_REF', 696000000.0),
    ],
  },
  {
    name: 'Carrington CAR synoptic map',
    shape: [3600, 1440],
    cards: [
      ...image([3600, 1440]),
      k('CTYPE1', 'CRLN-CAR'), k('CTYPE2', 'CRLT-CAR'), k('CUNIT1', 'deg'), k('CUNIT2', 'deg'),
      k('CRPIX1', 1800.5), k('CRPIX2', 720.5), k('CRVAL1', 180.0), k('CRVAL2', 0.0), k('CDELT1', 0.1), k('CDELT2', 0.125),
    ],
  },
  {
    name: 'HMI-like Carrington CEA with sine-latitude spacing',
    shape: [3600, 1440],
    cards: [
      ...image([3600, 1440]),
      k('CTYPE1', 'CRLN-CEA'), k('CTYPE2', 'CRLT-CEA'), k('CUNIT1', 'deg'), k('CUNIT2', 'deg'),
      k('CRPIX1', 1800.5), k('CRPIX2', 720.5), k('CRVAL1', 180.0), k('CRVAL2', 0.0), k('CDELT1', 0.1), k('CDELT2', 0.0795774715459477),
      k('PV2_1', 1.0),
    ],
  },
  {
    name: 'Stonyhurst heliographic CAR',
    shape: [720, 360],
    cards: [
      ...image([720, 360]),
      k('CTYPE1', 'HGLN-CAR'), k('CTYPE2', 'HGLT-CAR'), k('CRPIX1', 360.5), k('CRPIX2', 180.5), k('CRVAL1', 0.0), k('CRVAL2', 0.0),
      k('CDELT1', 0.5), k('CDELT2', 0.5), k('CUNIT1', 'deg'), k('CUNIT2', 'deg'),
    ],
  },
  {
    name: 'AIPS radio cube: RA---SIN, VELO-LSR, STOKES, EPOCH, CROTA2',
    shape: [256, 256, 64, 1],
    cards: [
      ...image([256, 256, 64, 1]),
      k('CTYPE1', 'RA---SIN'), k('CRVAL1', 83.82208), k('CDELT1', -0.000555556), k('CRPIX1', 129.0), k('CROTA1', 0.0),
      k('CTYPE2', 'DEC--SIN'), k('CRVAL2', -5.39111), k('CDELT2', 0.000555556), k('CRPIX2', 129.0), k('CROTA2', 12.5),
      k('CTYPE3', 'VELO-LSR'), k('CRVAL3', 8500.0), k('CDELT3', -650.0), k('CRPIX3', 33.0),
      k('CTYPE4', 'STOKES'), k('CRVAL4', 1.0), k('CDELT4', 1.0), k('CRPIX4', 1.0),
      k('EPOCH', 1950.0), k('RESTFREQ', 1420405752.0), k('VELREF', 257),
    ],
  },
  {
    name: 'ALMA-like cube: RA/DEC SIN, FREQ, STOKES with PC and SPECSYS',
    shape: [300, 300, 120, 1],
    cards: [
      ...image([300, 300, 120, 1]),
      k('WCSAXES', 4),
      k('CTYPE1', 'RA---SIN'), k('CRVAL1', 248.0943), k('CDELT1', -2.777777778e-5), k('CRPIX1', 151.0), k('CUNIT1', 'deg'),
      k('CTYPE2', 'DEC--SIN'), k('CRVAL2', -24.47768), k('CDELT2', 2.777777778e-5), k('CRPIX2', 151.0), k('CUNIT2', 'deg'),
      k('CTYPE3', 'FREQ'), k('CRVAL3', 230538000000.0), k('CDELT3', -488281.25), k('CRPIX3', 1.0), k('CUNIT3', 'Hz'),
      k('CTYPE4', 'STOKES'), k('CRVAL4', 1.0), k('CDELT4', 1.0), k('CRPIX4', 1.0), k('CUNIT4', ''),
      k('PC1_1', 1.0), k('PC2_2', 1.0), k('PC3_3', 1.0), k('PC4_4', 1.0),
      k('PV2_1', 0.0), k('PV2_2', 0.0), k('LONPOLE', 180.0), k('LATPOLE', -24.47768),
      k('RESTFRQ', 230538000000.0), k('SPECSYS', 'LSRK'), k('RADESYS', 'ICRS'), k('EQUINOX', 2000.0),
    ],
  },
  {
    name: 'Radio cube with FREQ in GHz and VRAD secondary (alternate A)',
    shape: [128, 128, 40],
    cards: [
      ...image([128, 128, 40]),
      k('CTYPE1', 'RA---TAN'), k('CRVAL1', 10.68), k('CDELT1', -0.0002), k('CRPIX1', 64.5),
      k('CTYPE2', 'DEC--TAN'), k('CRVAL2', 41.27), k('CDELT2', 0.0002), k('CRPIX2', 64.5),
      k('CTYPE3', 'FREQ'), k('CRVAL3', 1.4204), k('CDELT3', -1.2e-5), k('CRPIX3', 20.0), k('CUNIT3', 'GHz'),
      k('RESTFRQ', 1420405752.0),
      k('CTYPE1A', 'RA---TAN'), k('CRVAL1A', 10.68), k('CDELT1A', -0.0002), k('CRPIX1A', 64.5),
      k('CTYPE2A', 'DEC--TAN'), k('CRVAL2A', 41.27), k('CDELT2A', 0.0002), k('CRPIX2A', 64.5),
      k('CTYPE3A', 'VRAD'), k('CRVAL3A', -300.0), k('CDELT3A', 2.53), k('CRPIX3A', 20.0), k('CUNIT3A', 'km/s'), k('RESTFRQA', 1420405752.0),
    ],
  },
  {
    name: 'MUSE-like IFU cube: AWAV in Angstrom, CD matrix',
    shape: [320, 320, 3681],
    cards: [
      ...image([320, 320, 3681]),
      k('CTYPE1', 'RA---TAN'), k('CTYPE2', 'DEC--TAN'), k('CTYPE3', 'AWAV'), k('CUNIT1', 'deg'), k('CUNIT2', 'deg'), k('CUNIT3', 'Angstrom'),
      k('CRPIX1', 160.3), k('CRPIX2', 158.9), k('CRPIX3', 1.0), k('CRVAL1', 53.16), k('CRVAL2', -27.78), k('CRVAL3', 4749.75),
      k('CD1_1', -5.55555555555556e-05), k('CD1_2', 0.0), k('CD2_1', 0.0), k('CD2_2', 5.55555555555556e-05),
      k('CD3_3', 1.25), k('CD1_3', 0.0), k('CD2_3', 0.0), k('CD3_1', 0.0), k('CD3_2', 0.0),
    ],
  },
  {
    name: 'SDSS-like log-linear spectrum: WAVE-LOG in Angstrom',
    shape: [3800],
    cards: [...image([3800]), k('CTYPE1', 'WAVE-LOG'), k('CUNIT1', 'Angstrom'), k('CRPIX1', 1.0), k('CRVAL1', 3800.0), k('CDELT1', 0.875)],
  },
  {
    name: 'Optical spectrum: linear WAVE in nm, 1-D',
    shape: [2048],
    cards: [...image([2048]), k('CTYPE1', 'WAVE'), k('CUNIT1', 'nm'), k('CRPIX1', 1024.0), k('CRVAL1', 656.28), k('CDELT1', 0.012)],
  },
  {
    name: 'Optical velocity axis VOPT-F2W with RESTWAV',
    shape: [512],
    cards: [...image([512]), k('CTYPE1', 'VOPT-F2W'), k('CUNIT1', 'km/s'), k('CRPIX1', 256.0), k('CRVAL1', 1500.0), k('CDELT1', 12.5), k('RESTWAV', 6.5628e-7)],
  },
  {
    name: 'Dynamic spectrum: TIME in min, FREQ in MHz',
    shape: [3600, 400],
    cards: [...image([3600, 400]), k('CTYPE1', 'TIME'), k('CUNIT1', 'min'), k('CRPIX1', 1.0), k('CRVAL1', 0.0), k('CDELT1', 0.25), k('CTYPE2', 'FREQ'), k('CUNIT2', 'MHz'), k('CRPIX2', 1.0), k('CRVAL2', 20.0), k('CDELT2', 0.2)],
  },
  {
    name: '2MASS-like: CDELT + CROTA2, RA---SIN, EQUINOX',
    shape: [512, 1024],
    cards: [
      ...image([512, 1024]),
      k('CTYPE1', 'RA---SIN'), k('CTYPE2', 'DEC--SIN'), k('CRPIX1', 256.5), k('CRPIX2', 512.5), k('CRVAL1', 202.469575), k('CRVAL2', 47.195258),
      k('CDELT1', -0.000277777780), k('CDELT2', 0.000277777780), k('CROTA2', 0.7), k('EQUINOX', 2000.0),
    ],
  },
  {
    name: 'IRAS-like galactic CAR with LONPOLE',
    shape: [500, 500],
    cards: [
      ...image([500, 500]),
      k('CTYPE1', 'GLON-CAR'), k('CTYPE2', 'GLAT-CAR'), k('CRPIX1', 250.5), k('CRPIX2', 250.5), k('CRVAL1', 120.0), k('CRVAL2', 30.0),
      k('CDELT1', -0.025), k('CDELT2', 0.025), k('LONPOLE', 0.0),
    ],
  },
  {
    name: 'ESO-like: CD matrix, RADECSYS FK5, EQUINOX, MJD-OBS',
    shape: [2048, 2048],
    cards: [
      ...image([2048, 2048]),
      k('RADECSYS', 'FK5'), k('EQUINOX', 2000.0), k('MJD-OBS', 55555.123),
      k('CTYPE1', 'RA---TAN'), k('CTYPE2', 'DEC--TAN'), k('CRPIX1', 1024.0), k('CRPIX2', 1024.0), k('CRVAL1', 150.1191), k('CRVAL2', 2.2058),
      k('CD1_1', -9.4e-5), k('CD1_2', 1.2e-7), k('CD2_1', 1.1e-7), k('CD2_2', 9.4e-5),
    ],
  },
  {
    name: 'FK4 B1950 with EPOCH only',
    shape: [800, 800],
    cards: [
      ...image([800, 800]),
      k('CTYPE1', 'RA---TAN'), k('CTYPE2', 'DEC--TAN'), k('CRPIX1', 400.0), k('CRPIX2', 400.0), k('CRVAL1', 83.0), k('CRVAL2', -5.4),
      k('CDELT1', -0.0005), k('CDELT2', 0.0005), k('EPOCH', 1950.0),
    ],
  },
  {
    name: 'Planck-like HEALPix HPX in galactic coordinates',
    shape: [1600, 800],
    cards: [
      ...image([1600, 800]),
      k('CTYPE1', 'GLON-HPX'), k('CTYPE2', 'GLAT-HPX'), k('CRPIX1', 800.5), k('CRPIX2', 400.5), k('CRVAL1', 0.0), k('CRVAL2', 0.0),
      k('CDELT1', -0.225), k('CDELT2', 0.225), k('PV2_1', 4), k('PV2_2', 3),
    ],
  },
  {
    name: 'Ecliptic AIT all-sky',
    shape: [720, 360],
    cards: [
      ...image([720, 360]),
      k('CTYPE1', 'ELON-AIT'), k('CTYPE2', 'ELAT-AIT'), k('CRPIX1', 360.5), k('CRPIX2', 180.5), k('CRVAL1', 0.0), k('CRVAL2', 0.0),
      k('CDELT1', -0.5), k('CDELT2', 0.5),
    ],
  },
  {
    name: 'Celestial axes last in a cube (FREQ, RA, DEC)',
    shape: [30, 200, 200],
    cards: [
      ...image([30, 200, 200]),
      k('CTYPE1', 'FREQ'), k('CRVAL1', 1.1e11), k('CDELT1', 2e6), k('CRPIX1', 1.0),
      k('CTYPE2', 'RA---CAR'), k('CRVAL2', 266.4), k('CDELT2', -0.001), k('CRPIX2', 100.0),
      k('CTYPE3', 'DEC--CAR'), k('CRVAL3', -28.9), k('CDELT3', 0.001), k('CRPIX3', 100.0),
    ],
  },
  {
    name: 'Linear detector coordinates only (no CTYPE)',
    shape: [100, 100],
    cards: [...image([100, 100]), k('CRPIX1', 1.0), k('CRPIX2', 1.0), k('CRVAL1', 5.0), k('CRVAL2', -5.0), k('CDELT1', 0.015), k('CDELT2', 0.015), k('CUNIT1', 'mm'), k('CUNIT2', 'mm')],
  },
];
