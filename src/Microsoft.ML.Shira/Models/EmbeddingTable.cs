using Microsoft.ML.Shira.Runtime;
using TorchSharp.Modules;

namespace Microsoft.ML.Shira.Models;

/// <summary>
/// A lookup table with <c>nn.Embedding</c>'s behaviour (one <c>weight</c> parameter <c>[rows, dimension]</c>, standard
/// normal initialisation unless <see cref="ParameterInit.SkipRandomInit"/>, a padding row that starts at zero and
/// receives no gradient), allocated directly with its dtype
/// on its device. TorchSharp's <c>nn.Embedding</c> (and its <c>from_pretrained</c>) first allocates a float32 table on
/// the CPU, which defeats building a model on the meta device to check a config against its checkpoint (a hostile
/// <c>vocab_size</c> allocates before the check) and, for a large vocabulary loaded onto a GPU, holds a second copy of
/// the table in host memory.
/// </summary>
internal sealed class EmbeddingTable : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006 // The field name is the parameter name: Module.to() replaces parameters through their fields.
    private readonly Parameter weight;
#pragma warning restore IDE1006
    private readonly long? _paddingIndex;

    /// <summary>Creates a table of <paramref name="rows"/> × <paramref name="dimension"/> on <paramref name="device"/> (the CPU when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the padding index is outside the table.</exception>
    public EmbeddingTable(long rows, long dimension, ScalarType dtype = ScalarType.Float32, Device? device = null, long? paddingIndex = null)
        : base("Embedding")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (paddingIndex is long index && (index < 0 || index >= rows))
            throw new ArgumentOutOfRangeException(nameof(paddingIndex), $"Padding index {index} is outside the table's {rows} rows.");
        _paddingIndex = paddingIndex;
        using (no_grad())
        {
            var table = empty(rows, dimension, dtype, device ?? CPU);
            ParameterInit.Normal(table);
            if (paddingIndex is long padding && !ParameterInit.IsSkipped)
            {
                using var row = table[padding];
                row.zero_();
            }
            weight = new Parameter(table);
        }
        RegisterComponents();
    }

    /// <summary>The table, <c>[rows, dimension]</c> (the <c>weight</c> parameter).</summary>
    public Parameter Weight => weight;

    /// <summary>Looks up integer ids of any shape <c>[...]</c>, giving <c>[..., dimension]</c>.</summary>
    public override Tensor forward(Tensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        using var scope = NewDisposeScope();
        var flat = ids.reshape(-1);
        var rows = weight.index_select(0, flat);
        if (_paddingIndex is long padding && weight.requires_grad && is_grad_enabled())
        {
            // nn.Embedding's padding_idx: the padding row's value is used, but it gets no gradient.
            var isPadding = TorchScalars.With(padding, p => flat.eq(p)).unsqueeze(1);
            rows = where(isPadding, weight.detach()[padding], rows);
        }
        return rows.reshape([.. ids.shape, weight.shape[1]]).MoveToOuterDisposeScope();
    }
}
