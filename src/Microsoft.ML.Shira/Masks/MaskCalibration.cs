using TorchSharp.Modules;
using Microsoft.ML.Shira.Runtime;

namespace Microsoft.ML.Shira.Masks;

/// <summary>
/// Computes the per-layer scores of <see cref="GradientMask"/> (Σ|∂L/∂w|) and <see cref="SnipMask"/> (Σ|w ⊙ ∂L/∂w|)
/// by running forward and backward passes over a few calibration batches.
/// </summary>
/// <remarks>
/// During the run only the target weights require gradients; afterwards every parameter of the model has its
/// original <c>requires_grad</c> flag and the targets have their original <c>.grad</c> (none, or the very tensor
/// they had). No parameter is modified. The model's training/eval mode is not changed: choose it before calling.
/// </remarks>
public sealed class MaskCalibration
{
    private readonly int _maxBatches = 8;

    /// <summary>Largest number of calibration batches to use (default 8); further batches are not enumerated.</summary>
    public int MaxBatches
    {
        get => _maxBatches;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxBatches = value;
        }
    }

    /// <summary>
    /// Accumulates, over the first <see cref="MaxBatches"/> batches, Σ|∂L/∂w| (<see cref="MaskType.Gradient"/>) or
    /// Σ|w ⊙ ∂L/∂w| (<see cref="MaskType.Snip"/>) of every target weight.
    /// </summary>
    /// <typeparam name="TBatch">The calibration batch type.</typeparam>
    /// <param name="type"><see cref="MaskType.Gradient"/> or <see cref="MaskType.Snip"/>.</param>
    /// <param name="model">The model that owns the target weights.</param>
    /// <param name="targets">Module path and weight of every layer to score; each weight must be a parameter of <paramref name="model"/>.</param>
    /// <param name="batches">Calibration batches.</param>
    /// <param name="loss">Runs the model on a batch and returns a scalar loss; the tensors it creates are disposed after the backward pass.</param>
    /// <returns>
    /// A float32 score tensor per module path, shaped and placed like its weight. The caller owns the tensors (they
    /// belong to the caller's dispose scope, if any).
    /// </returns>
    /// <exception cref="ArgumentException">Bad type or targets, or no batch.</exception>
    /// <exception cref="InvalidOperationException">A loss is not a scalar or does not depend on any target weight.</exception>
    public IReadOnlyDictionary<string, Tensor> ComputeScores<TBatch>(
        MaskType type,
        nn.Module model,
        IEnumerable<(string ModulePath, Parameter Weight)> targets,
        IEnumerable<TBatch> batches,
        Func<TBatch, Tensor> loss)
    {
        if (type is not (MaskType.Gradient or MaskType.Snip))
            throw new ArgumentOutOfRangeException(nameof(type), type, "Calibration scores exist only for MaskType.Gradient and MaskType.Snip.");
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(loss);

        var parameters = model.parameters().ToList();
        var layers = CheckTargets(targets.ToList(), parameters);

        using var scope = NewDisposeScope();
        var scores = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (path, weight) in layers)
            scores.Add(path, zeros(weight.shape, ScalarType.Float32, weight.device));

        var requiresGrad = parameters.Select(p => p.requires_grad).ToList();
        var savedGrads = layers.Select(layer => layer.Weight.grad).ToList();
        try
        {
            foreach (var p in parameters)
                p.requires_grad = false;
            foreach (var (_, weight) in layers)
            {
                weight.grad = null;
                weight.requires_grad = true;
            }

            int used = Accumulate(type, layers, scores, batches, loss);
            if (used == 0)
                throw new ArgumentException("The calibration set is empty: at least one batch is needed.", nameof(batches));
        }
        finally
        {
            for (int i = 0; i < parameters.Count; i++)
                parameters[i].requires_grad = requiresGrad[i];
            for (int i = 0; i < layers.Count; i++)
                layers[i].Weight.grad = savedGrads[i];
        }

        foreach (var score in scores.Values)
            score.MoveToOuterDisposeScope();
        return scores;
    }

    private int Accumulate<TBatch>(
        MaskType type,
        List<(string ModulePath, Parameter Weight)> layers,
        Dictionary<string, Tensor> scores,
        IEnumerable<TBatch> batches,
        Func<TBatch, Tensor> loss)
    {
        int used = 0;
        using var gradMode = enable_grad();
        foreach (var batch in batches)
        {
            using var batchScope = NewDisposeScope();
            var value = loss(batch) ?? throw new InvalidOperationException($"The loss function returned null for calibration batch {used}.");
            if (value.numel() != 1)
                throw new InvalidOperationException($"The loss of calibration batch {used} has shape {MaskArguments.Shape(value)}; it must be a scalar.");
            if (!value.requires_grad)
                throw new InvalidOperationException($"The loss of calibration batch {used} does not depend on any target weight (it does not require grad).");
            value.backward();

            using (no_grad())
            {
                foreach (var (path, weight) in layers)
                {
                    var grad = weight.grad;
                    if (grad is null)
                        continue; // The layer did not take part in this loss: its score gains nothing.
                    var g = grad.to(ScalarType.Float32);
                    var contribution = type == MaskType.Gradient ? g.abs() : (weight.detach().to(ScalarType.Float32) * g).abs();
                    scores[path].PlusInPlace(contribution);
                    weight.grad = null;
                }
            }
            if (++used == MaxBatches)
                break;
        }
        return used;
    }

    private static List<(string ModulePath, Parameter Weight)> CheckTargets(
        List<(string ModulePath, Parameter Weight)> targets,
        List<Parameter> parameters)
    {
        if (targets.Count == 0)
            throw new ArgumentException("At least one target weight is needed.", nameof(targets));
        var modelHandles = parameters.Select(p => p.Handle).ToHashSet();
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var handles = new HashSet<IntPtr>();
        foreach (var (path, weight) in targets)
        {
            if (string.IsNullOrWhiteSpace(path))
                throw new ArgumentException("Every target needs a module path.", nameof(targets));
            if (weight is null)
                throw new ArgumentException($"Target '{path}' has no weight.", nameof(targets));
            if (weight.dim() != 2)
                throw new ArgumentException($"Target '{path}': the weight must be a 2-D [out, in] matrix, got shape {MaskArguments.Shape(weight)}.", nameof(targets));
            if (!weight.is_floating_point())
                throw new ArgumentException($"Target '{path}': the weight must be floating-point to have a gradient, got {weight.dtype}.", nameof(targets));
            if (!paths.Add(path))
                throw new ArgumentException($"Target '{path}' is listed twice.", nameof(targets));
            if (!handles.Add(weight.Handle))
                throw new ArgumentException($"Target '{path}': its weight is already listed under another module path.", nameof(targets));
            if (!modelHandles.Contains(weight.Handle))
                throw new ArgumentException($"Target '{path}': its weight is not a parameter of the model.", nameof(targets));
        }
        return targets;
    }
}
