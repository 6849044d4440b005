using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Models.Bert;

/// <summary>
/// Hugging Face's <c>BertPooler</c>: <c>tanh(dense(h[:, 0]))</c>, the first token's last hidden state through a
/// <c>hidden × hidden</c> layer (<c>pooler.dense</c>). <c>BertModel</c> checkpoints and <c>BertForSequenceClassification</c>
/// carry it; PEFT adapters whose <c>target_modules</c> include <c>dense</c> adapt it too.
/// </summary>
internal sealed class BertPooler : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // Field names are the Hugging Face module names (RegisterComponents uses them).
    // Typed Module<Tensor, Tensor> (not the sealed Linear) so an adapter injector can swap it.
    private nn.Module<Tensor, Tensor> dense;
#pragma warning restore IDE1006

    /// <summary>Creates a randomly initialized pooler with <paramref name="dtype"/> weights on <paramref name="device"/>.</summary>
    public BertPooler(BertConfig config, ScalarType dtype = ScalarType.Float32, Device? device = null) : base(nameof(BertPooler))
    {
        ArgumentNullException.ThrowIfNull(config);
        dense = ParameterInit.Linear(config.HiddenSize, config.HiddenSize, dtype: dtype, device: device);
        RegisterComponents();
    }

    /// <summary>Pools <c>[B, T, hidden]</c> states into <c>[B, hidden]</c>.</summary>
    public override Tensor forward(Tensor hiddenStates)
    {
        ArgumentNullException.ThrowIfNull(hiddenStates);
        using var scope = NewDisposeScope();
        using var first = hiddenStates.select(1, 0);
        return dense.call(first).tanh_().MoveToOuterDisposeScope();
    }
}
