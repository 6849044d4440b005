namespace Microsoft.ML.Shira.Models;

/// <summary>
/// A bias-free linear projection that borrows its weight from another module (for example an output head tied to
/// the input embedding). It owns no parameter, so the shared weight is stored, converted and saved only once.
/// </summary>
internal sealed class TiedLinear : nn.Module<Tensor, Tensor>
{
    private readonly Func<Tensor> _weight;

    /// <summary>Creates the projection; <paramref name="weight"/> is read at every call, so it follows moves and dtype changes.</summary>
    public TiedLinear(string name, Func<Tensor> weight) : base(name)
    {
        ArgumentNullException.ThrowIfNull(weight);
        _weight = weight;
        RegisterComponents();
    }

    /// <summary>The borrowed weight, <c>[out_features, in_features]</c>.</summary>
    public Tensor Weight => _weight();

    /// <summary>Computes <c>input · Weightᵀ</c>.</summary>
    public override Tensor forward(Tensor input) => nn.functional.linear(input, _weight());
}
