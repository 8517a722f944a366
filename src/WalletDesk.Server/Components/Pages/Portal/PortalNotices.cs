namespace WalletDesk.Server.Components;

/// <summary>
/// The only texts the portal shows because of a query-string value. Links carry a short code, never the
/// text: a page on our origin that printed whatever the address said would let anyone write "your account
/// is frozen, call +1 …" under our name. An unknown code shows nothing.
/// </summary>
public static class PortalNotices
{
    /// <summary>Why the portal sent the visitor to the signed-out page.</summary>
    public static class SignedOut
    {
        public const string Missing = "missing";
        public const string Expired = "expired";
        public const string Invalid = "invalid";
    }

    /// <summary>Why an upload from the portal's ticket page was refused.</summary>
    public static class Upload
    {
        public const string Type = "type";
        public const string TooLarge = "too-large";
        public const string TooMany = "too-many";
        public const string Sensitive = "sensitive";
        public const string Failed = "failed";
    }

    private static readonly Dictionary<string, (string En, string Zh)> SignedOutTexts = new(StringComparer.Ordinal)
    {
        [SignedOut.Missing] = ("The link you followed did not carry a sign-in.", "您打开的链接没有包含登录信息。"),
        [SignedOut.Expired] = ("Your support session has expired.", "您的客服会话已过期。"),
        [SignedOut.Invalid] = ("We could not confirm the sign-in from the Wallet app.", "无法确认来自钱包App的登录。"),
    };

    private static readonly Dictionary<string, (string En, string Zh)> UploadTexts = new(StringComparer.Ordinal)
    {
        [Upload.Type] = ("This type of file is not accepted. Send an image, a PDF or a text file.", "不接受此类型的文件。请发送图片、PDF或文本文件。"),
        [Upload.TooLarge] = ("The file is too large.", "文件太大。"),
        [Upload.TooMany] = ("This request already has as many files as it can take.", "此请求的附件数量已达上限。"),
        [Upload.Sensitive] = ("The file seems to contain card or account secrets, so it was not kept.", "文件似乎包含银行卡或账户机密信息，因此未保存。"),
        [Upload.Failed] = ("The file could not be uploaded. Try again.", "文件上传失败，请重试。"),
    };

    public static string? SignedOutText(string? code, bool zh) => Pick(SignedOutTexts, code, zh);

    public static string? UploadText(string? code, bool zh) => Pick(UploadTexts, code, zh);

    /// <summary>The code for an upload refusal, from its HTTP status (413 with a byte limit is size, without one the count).</summary>
    public static string UploadCodeFor(int status, long? limitBytes) => status switch
    {
        StatusCodes.Status415UnsupportedMediaType => Upload.Type,
        StatusCodes.Status413PayloadTooLarge => limitBytes is null ? Upload.TooMany : Upload.TooLarge,
        StatusCodes.Status422UnprocessableEntity => Upload.Sensitive,
        _ => Upload.Failed,
    };

    private static string? Pick(Dictionary<string, (string En, string Zh)> texts, string? code, bool zh) =>
        code is not null && texts.TryGetValue(code, out var text) ? (zh ? text.Zh : text.En) : null;
}
