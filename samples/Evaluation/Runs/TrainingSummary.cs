using System.Globalization;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Shira.Evaluation.Runs;

/// <summary>
/// The trainer's closing log line (source <c>ShiraTextClassification</c>): trainable encoder parameters, and encoder
/// weights that differ from the pretrained ones with the adapter fused (measured bit for bit for full fine-tuning and
/// head-only; the nonzero update entries for SHiRA and LoRA).
/// </summary>
internal sealed partial record TrainingSummary(long TrainableEncoderParameters, long ChangedWeights, long EncoderWeights)
{
    public double ChangedShare => EncoderWeights == 0 ? 0 : (double)ChangedWeights / EncoderWeights;

    public static TrainingSummary Parse(IEnumerable<string> messages)
    {
        foreach (string message in messages)
        {
            var match = Pattern().Match(message);
            if (match.Success)
                return new TrainingSummary(Number(match.Groups[1].Value), Number(match.Groups[2].Value), Number(match.Groups[3].Value));
        }
        throw new InvalidOperationException("The trainer logged no 'Fine-tuned with …' summary line.");
    }

    private static long Number(string text) => long.Parse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"Fine-tuned with .*?: ([\d,]+) trainable encoder parameters; ([\d,]+) of ([\d,]+) encoder weights changed")]
    private static partial Regex Pattern();
}
