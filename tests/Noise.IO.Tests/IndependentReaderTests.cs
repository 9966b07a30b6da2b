namespace Noise.IO.Tests;

/// <summary>Files we write, read by the tools our users use: h5py (as gwpy does) and pandas-free numpy.</summary>
public class IndependentReaderTests
{
    [Fact]
    public void H5pySeesTheGwoscLayout()
    {
        var dir = IoTestSupport.TempDir();
        int n = 4096 * 10;
        var x = IoTestSupport.Ramp(n);
        var path = Path.Combine(dir, "V-V1_TEST-1238166018-10.hdf5");
        using (var w = new GwoscHdf5Writer(path, IoTestSupport.Meta(n)))
        {
            w.Append(x);
            w.Complete();
        }
        const string script = """
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r')
s = f['strain/Strain']
a = s.attrs
assert a['Xstart'] == 1238166018.0, a['Xstart']
assert abs(a['Xspacing'] - 1/4096) < 1e-15, a['Xspacing']
xu = a['Xunits']; xu = xu.decode() if isinstance(xu, bytes) else xu
assert xu == 'second', xu
assert int(f['meta/GPSstart'][()]) == 1238166018
assert int(f['meta/Duration'][()]) == 10
d = f['meta/Detector'][()]; d = d.decode() if isinstance(d, bytes) else d
assert d == 'V1', d
assert f['quality/simple/DQmask'].shape == (10,)
x = s[:]
assert x.shape == (40960,), x.shape
expect = (np.sin(np.arange(40960) * 0.01) * 1e-21).astype(np.float32)
assert np.max(np.abs(x - expect)) < 1e-27, np.max(np.abs(x - expect))
print('ok', x.dtype, len(x))
""";
        var (code, output) = IoTestSupport.Python(script, path);
        Assert.True(code == 0, output);
        Assert.Contains("ok float32 40960", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsARealGwoscFile()
    {
        var data = IoTestSupport.SharedData();
        Assert.True(data is not null, "shared/data with the GWOSC reference files must sit beside the checkout");
        var s = StrainReader.Read(Path.Combine(data!, "strain", "H-H1_LOSC_4_V2-1126259446-32.hdf5"));
        Assert.Equal(4096, s.SampleRate);
        Assert.Equal(1126259446, s.GpsStart);
        Assert.Equal(32 * 4096, s.Data.Length);
        double rms = Math.Sqrt(s.Data.Average(v => v * v));
        Assert.InRange(rms, 1e-20, 1e-17);
    }
}
