using System.Text.Json;
using System.Text.Json.Nodes;
using Noise.Core;
using TorchSharp;
using TorchSharp.PyBridge;

namespace Noise.Detection.Model;

/// <summary>
/// A model folder: <c>model.json</c> (the <see cref="DetectorSpec"/> and the metrics of its report),
/// <c>model.bin</c> (TorchSharp weights), and the same weights for PyTorch users as <c>model.pt</c> (a
/// state_dict for torch.load) and <c>model.safetensors</c>. Every file is written atomically.
/// </summary>
public static class ModelStore
{
    public const string SpecFile = "model.json", WeightsFile = "model.bin", PyTorchFile = "model.pt", SafetensorsFile = "model.safetensors";

    public static readonly JsonSerializerOptions Json = new(Scenario.JsonOptions) { WriteIndented = true };

    public static void Save(string dir, GlitchNet net, DetectorSpec spec, JsonObject? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        Directory.CreateDirectory(dir);
        AtomicFile.Write(Path.Combine(dir, WeightsFile), p => net.save(p));
        AtomicFile.Write(Path.Combine(dir, PyTorchFile), p => net.save_py(p));
        AtomicFile.Write(Path.Combine(dir, SafetensorsFile), p => net.save_safetensors(p));
        var node = JsonSerializer.SerializeToNode(spec, Json)!.AsObject();
        if (metrics is not null) node["metrics"] = metrics.DeepClone();
        AtomicFile.Write(Path.Combine(dir, SpecFile), p => File.WriteAllText(p, node.ToJsonString(Json) + "\n"));
    }

    /// <summary>The model of a folder, in evaluation mode; a missing, corrupt or inconsistent folder is one clear error.</summary>
    public static (GlitchNet Net, DetectorSpec Spec, JsonObject Document) Load(string dir)
    {
        if (!Directory.Exists(dir)) throw new NoiseInputException($"{dir}: no such model folder");
        var specPath = Path.Combine(dir, SpecFile);
        var weights = Path.Combine(dir, WeightsFile);
        if (!File.Exists(specPath)) throw new NoiseInputException($"{dir}: not a model folder (no {SpecFile})");
        if (!File.Exists(weights)) throw new NoiseInputException($"{dir}: {WeightsFile} is missing");
        JsonObject doc;
        DetectorSpec spec;
        try
        {
            doc = JsonNode.Parse(File.ReadAllText(specPath))?.AsObject() ?? throw new NoiseInputException($"{specPath}: empty");
            spec = doc.Deserialize<DetectorSpec>(Json) ?? throw new NoiseInputException($"{specPath}: empty");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new NoiseInputException($"{specPath}: not a valid model description ({e.Message})");
        }
        if (spec.Classes.Count < 2 || spec.NoneIndex < 0 || spec.SampleRate < 256 || spec.WindowSamples < 1024)
            throw new NoiseInputException($"{specPath}: incomplete model description (classes, sample_rate or window_seconds)");
        if (spec.SmoothWindows is not (1 or 3))
            throw new NoiseInputException($"{specPath}: smooth_windows must be 1 or 3, got {spec.SmoothWindows}");
        if (spec.ClassRates.Count is not 0 && (spec.ClassRates.Count != spec.Classes.Count || spec.ClassRates.Any(r => !(r >= 0) || !double.IsFinite(r))))
            throw new NoiseInputException($"{specPath}: class_rates needs one non-negative rate per class");
        if (spec.ClassSnr.Count is not 0 && (spec.ClassSnr.Count != spec.Classes.Count
            || spec.ClassSnr.Any(l => l is not null && !(l.Min > 0 && l.Max > l.Min && double.IsFinite(l.Max) && double.IsFinite(l.Power)))))
            throw new NoiseInputException($"{specPath}: class_snr needs one entry per class: null or {{min, max, power}} with 0 < min < max");
        var net = GlitchNet.For(spec);
        try
        {
            net.load(weights);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            net.Dispose();
            throw new NoiseInputException($"{weights}: corrupt, or not the weights {SpecFile} describes ({e.Message.Split('\n')[0]})");
        }
        net.eval();
        return (net, spec, doc);
    }
}
