using System.Text.Json.Nodes;
using Microsoft.ML.Shira.Text;

namespace Microsoft.ML.Shira.Tests.Tokenizers;

/// <summary>
/// The <c>lstrip</c>, <c>rstrip</c>, <c>single_word</c> and <c>normalized</c> flags of <c>added_tokens</c>, each set
/// on the Qwen2-shaped file's <c>&lt;tool_call&gt;</c> and checked against Hugging Face's tokenizers on the same file.
/// </summary>
[TestClass]
public sealed class AddedTokenFlagsTests
{
    private static readonly string[] Texts =
    [
        "call <tool_call> now", "call   <tool_call>\n\n now", "x<tool_call>y", "_<tool_call>", "<tool_call> <tool_call>  <tool_call>",
        "é <tool_call>é", "word<tool_call> word", " <tool_call>", "<tool_call>   ",
    ];

    [TestMethod]
    [DataRow("lstrip")]
    [DataRow("rstrip")]
    [DataRow("single_word")]
    [DataRow("normalized")]
    public void FlagMatchesHuggingFace(string flag)
    {
        string dir = SyntheticTokenizerJson.Edited(SyntheticTokenizerJson.Qwen2Folder, root =>
        {
            var token = root["added_tokens"]!.AsArray().Single(t => (string?)t!["content"] == "<tool_call>")!.AsObject();
            token[flag] = true;
        });
        var ours = ByteLevelBpeCausalLMTokenizer.Load(dir);
        var plain = ByteLevelBpeCausalLMTokenizer.Load(SyntheticTokenizerJson.Qwen2Folder);
        using var reference = HuggingFaceReference.Load(SyntheticTokenizerJson.JsonPath(dir));
        int differ = 0;
        foreach (string text in Texts)
        {
            var ids = ours.Encode(text).ToArray();
            CollectionAssert.AreEqual(HuggingFaceReference.Encode(reference, text), ids, $"{flag}: ids of '{text}'");
            differ += ids.SequenceEqual(plain.Encode(text)) ? 0 : 1;
        }
        if (flag != "normalized")
            Assert.IsGreaterThan(0, differ, $"{flag} changes some encodings");
    }
}
