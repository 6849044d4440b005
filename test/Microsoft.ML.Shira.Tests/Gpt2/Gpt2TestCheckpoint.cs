using System.Text.Json.Nodes;
using Microsoft.ML.Shira.IO.Safetensors;
using static TorchSharp.torch;

namespace Microsoft.ML.Shira.Tests.Gpt2;

/// <summary>
/// A small random GPT-2 checkpoint written the way Hugging Face stores one: <c>config.json</c> and
/// <c>model.safetensors</c> with Conv1D weights as <c>[in, out]</c>, biases, layer norms and embeddings.
/// </summary>
internal sealed class Gpt2TestCheckpoint : IDisposable
{
    public const int VocabSize = 64;
    public const int Embed = 32;
    public const int Layers = 2;
    public const int Heads = 4;
    public const int Positions = 40;
    public const int Inner = 4 * Embed;
    public const double Epsilon = 1e-5;

    private Gpt2TestCheckpoint(string directory, Dictionary<string, Tensor> tensors)
    {
        Directory = directory;
        Tensors = tensors;
    }

    /// <summary>The model folder.</summary>
    public string Directory { get; }

    /// <summary>The stored tensors by their <c>transformer.</c>-prefixed names, as written ([in, out] for Conv1D).</summary>
    public Dictionary<string, Tensor> Tensors { get; }

    /// <summary>
    /// Writes the checkpoint. <paramref name="bareNames"/> drops the <c>transformer.</c> prefix and adds the causal-mask
    /// buffers (<c>h.N.attn.bias</c>, <c>masked_bias</c>), as the original <c>gpt2</c> checkpoint has them.
    /// </summary>
    public static Gpt2TestCheckpoint Create(int seed = 7, bool bareNames = false, Action<JsonObject>? editConfig = null)
    {
        using var generator = new Generator((ulong)seed);
        Tensor Normal(double std, params long[] shape) => (randn(shape, generator: generator) * std).contiguous();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            ["transformer.wte.weight"] = Normal(0.3, VocabSize, Embed),
            ["transformer.wpe.weight"] = Normal(0.1, Positions, Embed),
            ["transformer.ln_f.weight"] = (Normal(0.1, Embed) + 1).contiguous(),
            ["transformer.ln_f.bias"] = Normal(0.1, Embed),
        };
        for (int i = 0; i < Layers; i++)
        {
            string p = $"transformer.h.{i}.";
            tensors[p + "ln_1.weight"] = (Normal(0.1, Embed) + 1).contiguous();
            tensors[p + "ln_1.bias"] = Normal(0.1, Embed);
            tensors[p + "attn.c_attn.weight"] = Normal(0.25, Embed, 3 * Embed);
            tensors[p + "attn.c_attn.bias"] = Normal(0.1, 3 * Embed);
            tensors[p + "attn.c_proj.weight"] = Normal(0.2, Embed, Embed);
            tensors[p + "attn.c_proj.bias"] = Normal(0.1, Embed);
            tensors[p + "ln_2.weight"] = (Normal(0.1, Embed) + 1).contiguous();
            tensors[p + "ln_2.bias"] = Normal(0.1, Embed);
            tensors[p + "mlp.c_fc.weight"] = Normal(0.2, Embed, Inner);
            tensors[p + "mlp.c_fc.bias"] = Normal(0.1, Inner);
            tensors[p + "mlp.c_proj.weight"] = Normal(0.1, Inner, Embed);
            tensors[p + "mlp.c_proj.bias"] = Normal(0.1, Embed);
        }

        string dir = TestPaths.NewTempDirectory();
        var stored = tensors.ToDictionary(p => bareNames ? p.Key["transformer.".Length..] : p.Key, p => p.Value);
        var buffers = new List<Tensor>();
        if (bareNames)
        {
            for (int i = 0; i < Layers; i++)
            {
                var mask = ones(Positions, Positions).tril().view(1, 1, Positions, Positions).contiguous();
                var masked = tensor(-1e4f);
                buffers.Add(mask);
                buffers.Add(masked);
                stored[$"h.{i}.attn.bias"] = mask;
                stored[$"h.{i}.attn.masked_bias"] = masked;
            }
        }
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), stored, new Dictionary<string, string> { ["format"] = "pt" });
        buffers.ForEach(b => b.Dispose());

        var config = new JsonObject
        {
            ["architectures"] = new JsonArray("GPT2LMHeadModel"),
            ["model_type"] = "gpt2",
            ["vocab_size"] = VocabSize,
            ["n_embd"] = Embed,
            ["n_layer"] = Layers,
            ["n_head"] = Heads,
            ["n_positions"] = Positions,
            ["n_ctx"] = Positions,
            ["n_inner"] = null,
            ["layer_norm_epsilon"] = Epsilon,
            ["activation_function"] = "gelu_new",
            ["bos_token_id"] = VocabSize - 1,
            ["eos_token_id"] = VocabSize - 1,
            ["resid_pdrop"] = 0.1,
            ["embd_pdrop"] = 0.1,
            ["attn_pdrop"] = 0.1,
            ["initializer_range"] = 0.02,
        };
        editConfig?.Invoke(config);
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJsonString());
        return new Gpt2TestCheckpoint(dir, tensors);
    }

    public void Dispose()
    {
        foreach (var tensor in Tensors.Values)
            tensor.Dispose();
    }
}
