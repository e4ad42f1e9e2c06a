"""Make the 4096x4096 float32 benchmark image (bench input, not committed)."""
import sys
import numpy as np
from astropy.io import fits

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/fitsflow-bench/image_f32.fits"
rng = np.random.default_rng(1)
data = rng.normal(1000, 50, size=(4096, 4096)).astype(np.float32)
fits.PrimaryHDU(data).writeto(out, overwrite=True)
print(out)
