using System.Net;
using System.Net.Sockets;
using Noise.Streaming.Sources;

namespace Noise.Streaming.Tests;

public class SourceTests
{
    private static byte[] Frame(int second, float value = 1f) =>
        FrameCodec.Encode(1238166018 + second, 4096, Enumerable.Repeat(value, 4096).ToArray(), ready: true);

    /// <summary>A sender that goes away (cleanly, or mid-frame with garbage) and comes back: the source reconnects and goes on.</summary>
    [Fact]
    public async Task TcpSourceReconnectsWhenTheSenderGoesAwayAndComesBack()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var metrics = new StreamMetrics();
        var source = new FrameStreamSource("127.0.0.1", port, metrics);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var frames = new List<StrainFrame>();
        var reading = Task.Run(async () =>
        {
            await foreach (var f in source.ReadAsync(cts.Token))
            {
                frames.Add(f);
                if (frames.Count == 6) break;
            }
        });
        using (var first = await listener.AcceptTcpClientAsync(cts.Token))
        {
            var s = first.GetStream();
            for (int i = 0; i < 2; i++) await s.WriteAsync(Frame(i), cts.Token);
        }                                                  // the sender closes the connection
        using (var second = await listener.AcceptTcpClientAsync(cts.Token))
        {
            var s = second.GetStream();
            await s.WriteAsync(Frame(2), cts.Token);
            await s.WriteAsync(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 }, cts.Token);   // garbage: dropped, reconnect
            await s.FlushAsync(cts.Token);
            var third = await listener.AcceptTcpClientAsync(cts.Token);
            using (third)
            {
                var t = third.GetStream();
                for (int i = 3; i < 6; i++) await t.WriteAsync(Frame(i), cts.Token);
                await reading.WaitAsync(cts.Token);
            }
        }
        listener.Stop();
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (1238166018L + i) * 4096), frames.Select(f => f.FirstSample));
        Assert.Equal(2, Interlocked.Read(ref metrics.Reconnects));
    }

    [Fact]
    public void SpeedsParseAndBadOnesAreClearErrors()
    {
        Assert.Equal(1, Pacer.Parse("realtime"));
        Assert.Equal(double.PositiveInfinity, Pacer.Parse("max"));
        Assert.Equal(10, Pacer.Parse("10"));
        Assert.Equal(2.5, Pacer.Parse("2.5x"));
        Assert.Contains("--speed", Assert.Throws<Noise.Core.NoiseInputException>(() => Pacer.Parse("-1")).Message, StringComparison.Ordinal);
    }
}
