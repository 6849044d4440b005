using System.Text;
using Microsoft.ML.Shira.Text;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Shira.Tests.Tokenizers;

/// <summary>
/// A Qwen2-shaped <c>tokenizer.json</c> (NFC normalizer; Split with Qwen2's regex, digits one by one, + ByteLevel;
/// ChatML added tokens; ByteLevel post-processor) over cl100k_base's ranks, checked against Hugging Face's tokenizers
/// on the same file and, where the two regexes agree, against Microsoft.ML.Tokenizers' tiktoken.
/// </summary>
[TestClass]
public sealed class Qwen2TokenizerJsonTests
{
    private static readonly Lazy<TiktokenTokenizer> Tiktoken = new(() => TiktokenTokenizer.CreateForModel("gpt-4"));
    private static readonly Lazy<ByteLevelBpeCausalLMTokenizer> Ours = new(() => ByteLevelBpeCausalLMTokenizer.Load(SyntheticTokenizerJson.Qwen2Folder));

    private const string Chat = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 12 + 30?<|im_end|>\n<|im_start|>assistant\n<tool_call>42<|im_end|><|endoftext|>";

    [TestMethod]
    public void IdsMatchHuggingFaceTokenizers()
    {
        using var reference = HuggingFaceReference.Load(SyntheticTokenizerJson.JsonPath(SyntheticTokenizerJson.Qwen2Folder));
        foreach (string text in TokenizerTestTexts.All.Append(Chat).Append("e\u0301<|im_end|>\u0301 and <|im_start|>\u0338"))
            CollectionAssert.AreEqual(HuggingFaceReference.Encode(reference, text), Ours.Value.Encode(text).ToArray(), $"ids of '{text}'");
    }

    [TestMethod]
    public void WithoutDigitsIdsMatchTiktokenOnNfcText()
    {
        int compared = 0;
        foreach (string text in TokenizerTestTexts.All.Where(t => !t.Any(char.IsDigit)))
        {
            var expected = Tiktoken.Value.EncodeToIds(text.Normalize(NormalizationForm.FormC)).ToArray();
            CollectionAssert.AreEqual(expected, Ours.Value.Encode(text).ToArray(), $"ids of '{text}'");
            compared += expected.Length;
        }
        Assert.IsGreaterThan(2000, compared, "enough tokens compared");
    }

    [TestMethod]
    public void NfcComposesAccentsBeforeBpe()
    {
        string decomposed = "Cafe\u0301 A\u030Angstro\u0308m";
        CollectionAssert.AreEqual(Tiktoken.Value.EncodeToIds("Café Ångström").ToArray(), Ours.Value.Encode(decomposed).ToArray());
        CollectionAssert.AreNotEqual(Tiktoken.Value.EncodeToIds(decomposed).ToArray(), Ours.Value.Encode(decomposed).ToArray());
    }

    [TestMethod]
    public void DigitsAreSplitOneByOne()
    {
        // cl100k groups up to three digits ("202", "4"); Qwen2 encodes every digit alone. Neither regex joins the space to a digit.
        var tiktoken = Tiktoken.Value;
        var expected = tiktoken.EncodeToIds("In").Concat(tiktoken.EncodeToIds(" ")).Concat("2024".SelectMany(d => tiktoken.EncodeToIds(d.ToString()))).ToArray();
        var ids = Ours.Value.Encode("In 2024").ToArray();
        CollectionAssert.AreEqual(expected, ids);
        Assert.HasCount(4, tiktoken.EncodeToIds("In 2024"), "tiktoken: In, space, 202, 4");
        Assert.HasCount(6, ids);
        Assert.AreEqual("In 2024", Ours.Value.Decode(ids));
    }

    [TestMethod]
    public void ChatMarkupIsEncodedAsAddedTokens()
    {
        var tokenizer = Ours.Value;
        Assert.IsFalse(tokenizer.AddBosToken, "Qwen2 adds no BOS");
        Assert.AreEqual(SyntheticTokenizerJson.EndOfText, tokenizer.EosTokenId, "<|endoftext|> by default, as GPT-2");
        var ids = tokenizer.Encode(Chat).ToArray();
        Assert.AreEqual(SyntheticTokenizerJson.ImStart, ids[0], "no BOS before the chat");
        Assert.AreEqual(3, ids.Count(id => id == SyntheticTokenizerJson.ImStart));
        Assert.AreEqual(3, ids.Count(id => id == SyntheticTokenizerJson.ImEnd));
        CollectionAssert.Contains(ids, SyntheticTokenizerJson.ToolCall);
        Assert.AreEqual(Chat, tokenizer.Decode(ids, skipSpecialTokens: false));
        Assert.AreEqual("system\nYou are a helpful assistant.\nuser\nWhat is 12 + 30?\nassistant\n<tool_call>42", tokenizer.Decode(ids),
            "special tokens dropped; <tool_call> is an added token but not a special one");
    }

    [TestMethod]
    public void TokenizerConfigNamesEos()
    {
        string dir = SyntheticTokenizerJson.Edited(SyntheticTokenizerJson.Qwen2Folder, _ => { });
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), """{"bos_token": null, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "add_bos_token": false}""");
        var tokenizer = (ByteLevelBpeCausalLMTokenizer)CausalLMTokenizers.Load(dir);
        Assert.AreEqual(SyntheticTokenizerJson.ImEnd, tokenizer.EosTokenId);
        CollectionAssert.AreEqual(Ours.Value.Encode(Chat).ToArray(), tokenizer.Encode(Chat).ToArray());
    }
}
