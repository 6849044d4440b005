namespace Microsoft.ML.Shira.Runtime;

/// <summary>
/// Tensor arithmetic with numbers that keeps every TorchSharp <see cref="Scalar"/> alive until libtorch is done with it.
/// </summary>
/// <remarks>
/// TorchSharp 0.107 turns a number into a <see cref="Scalar"/> that only the GC finalizer frees (implicit conversions,
/// and the default <c>alpha = 1</c> of <c>add</c>/<c>sub</c>), and hands its native handle to libtorch after the
/// last managed use. When another thread's allocation starts a GC during that native call, the finalizer thread can free
/// the Scalar while libtorch reads it: under concurrent inference this surfaced as libtorch failing a "toFloat" check.
/// These helpers dispose each Scalar after the call (so it is reachable during it), and <c>alpha</c> is a Scalar that
/// lives as long as the process. The library calls no TorchSharp member that creates a Scalar otherwise (a test checks the IL).
/// </remarks>
internal static class TorchScalars
{
    // Rooted for the process lifetime, so the finalizer never frees it.
    private static readonly Scalar One = 1.ToScalar();

    /// <summary><c>a + b</c>.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary><c>a - b</c>.</summary>
    public static Tensor Minus(this Tensor a, Tensor b) => a.sub(b);

    /// <summary><c>a += b</c> in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b) => a.add_(b, One);

    /// <summary><c>a -= b</c> in place.</summary>
    public static Tensor MinusInPlace(this Tensor a, Tensor b) => a.sub_(b);

    /// <summary><c>a + value</c>.</summary>
    public static Tensor Plus(this Tensor a, double value) => With(value, s => a.add(s, One));

    /// <summary><c>a + value</c> for integer tensors.</summary>
    public static Tensor Plus(this Tensor a, long value) => With(value, s => a.add(s, One));

    /// <summary><c>a += value</c> in place.</summary>
    public static Tensor PlusInPlace(this Tensor a, double value) => With(value, s => a.add_(s, One));

    /// <summary><c>a - value</c>.</summary>
    public static Tensor Minus(this Tensor a, double value) => With(value, s => a.sub(s));

    /// <summary><c>a - value</c> for integer tensors.</summary>
    public static Tensor Minus(this Tensor a, long value) => With(value, s => a.sub(s));

    /// <summary><c>a · value</c>.</summary>
    public static Tensor Times(this Tensor a, double value) => With(value, a.mul);

    /// <summary><c>a ·= value</c> in place.</summary>
    public static Tensor TimesInPlace(this Tensor a, double value) => With(value, a.mul_);

    /// <summary><c>a / value</c>.</summary>
    public static Tensor DividedBy(this Tensor a, double value) => With(value, s => a.div(s));

    /// <summary><c>a / value</c> (an integer divisor, as a <c>long</c> Scalar).</summary>
    public static Tensor DividedBy(this Tensor a, long value) => With(value, s => a.div(s));

    /// <summary><c>a ** exponent</c>.</summary>
    public static Tensor Power(this Tensor a, int exponent) => With(exponent, a.pow);

    /// <summary>Runs <paramref name="use"/> with <paramref name="value"/> as a Scalar that is disposed after it.</summary>
    public static T With<T>(double value, Func<Scalar, T> use)
    {
        using var scalar = value.ToScalar();
        return use(scalar);
    }

    /// <summary>Runs <paramref name="use"/> with <paramref name="value"/> as a Scalar that is disposed after it.</summary>
    public static T With<T>(float value, Func<Scalar, T> use)
    {
        using var scalar = value.ToScalar();
        return use(scalar);
    }

    /// <summary>Runs <paramref name="use"/> with <paramref name="value"/> as a Scalar that is disposed after it.</summary>
    public static T With<T>(long value, Func<Scalar, T> use)
    {
        using var scalar = value.ToScalar();
        return use(scalar);
    }

    /// <summary>Runs <paramref name="use"/> with <paramref name="value"/> as a Scalar that is disposed after it.</summary>
    public static T With<T>(int value, Func<Scalar, T> use)
    {
        using var scalar = value.ToScalar();
        return use(scalar);
    }

    /// <summary>Runs <paramref name="use"/> with <paramref name="value"/> as a Scalar that is disposed after it.</summary>
    public static T With<T>(byte value, Func<Scalar, T> use)
    {
        using var scalar = value.ToScalar();
        return use(scalar);
    }

    /// <summary><c>[start, end)</c> as a 1-D int64 tensor on <paramref name="device"/>.</summary>
    public static Tensor Range(long start, long end, Device device) =>
        With(start, s => With(end, e => arange(s, e, One, dtype: ScalarType.Int64, device: device)));
}
