using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Microsoft.ML.Shira.Sweeps.Orleans;

/// <summary>
/// Places trial slot <c>k</c> on the <c>k mod n</c>-th of the n compatible silos (ordered by address): concurrent
/// trials spread evenly over machines, and a retried attempt (a new key) lands on the silos still alive.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class SweepWorkerPlacementStrategy : PlacementStrategy
{
    internal static readonly SweepWorkerPlacementStrategy Instance = new();
}

/// <summary>Marks a grain class as placed by <see cref="SweepWorkerPlacementStrategy"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SweepWorkerPlacementAttribute : PlacementAttribute
{
    /// <summary>The attribute.</summary>
    public SweepWorkerPlacementAttribute()
        : base(SweepWorkerPlacementStrategy.Instance)
    {
    }
}

/// <summary>The director of <see cref="SweepWorkerPlacementStrategy"/>.</summary>
internal sealed class SweepWorkerPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target).OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        if (silos.Length == 0)
            throw new OrleansException("No silo can host sweep trial workers.");
        long key = target.GrainIdentity.GetIntegerKey();
        return Task.FromResult(silos[(int)(((key % silos.Length) + silos.Length) % silos.Length)]);
    }
}
