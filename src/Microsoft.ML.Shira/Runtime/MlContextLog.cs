using Microsoft.ML.Runtime;

namespace Microsoft.ML.Shira.Runtime;

/// <summary>
/// Writes messages to <see cref="MLContext.Log"/>. <see cref="MLContext"/> implements the public
/// <see cref="IChannelProvider"/> of Microsoft.ML.Core; a channel started from it delivers every message to the
/// context's <c>Log</c> event (with the channel name as the source), exactly as ML.NET's own trainers log.
/// </summary>
internal sealed class MlContextLog : IDisposable
{
    private readonly IChannel _channel;

    public MlContextLog(MLContext context, string name)
    {
        ArgumentNullException.ThrowIfNull(context);
        _channel = ((IChannelProvider)context).Start(name);
    }

    public void Info(string message) => _channel.Info(MessageSensitivity.None, message);

    public void Warning(string message) => _channel.Warning(MessageSensitivity.None, message);

    public void Dispose() => _channel.Dispose();
}
