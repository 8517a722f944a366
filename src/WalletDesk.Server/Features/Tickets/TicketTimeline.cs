namespace WalletDesk.Server.Features.Tickets;

/// <summary>The customer-facing words for a ticket's state and history, in English and Simplified Chinese.</summary>
public static class TicketTimeline
{
    public static string StatusText(string status, string language) => (status, language == "zh") switch
    {
        (TicketStatuses.New, false) => "Received — waiting for an agent",
        (TicketStatuses.New, true) => "已收到，等待客服处理",
        (TicketStatuses.Open, false) => "We're working on it",
        (TicketStatuses.Open, true) => "处理中",
        (TicketStatuses.PendingCustomer, false) => "Waiting for your reply",
        (TicketStatuses.PendingCustomer, true) => "等待您的回复",
        (TicketStatuses.OnHold, false) => "Waiting for a third party (for example your bank)",
        (TicketStatuses.OnHold, true) => "等待第三方（例如您的银行）回复",
        (TicketStatuses.Solved, false) => "Solved — reply to reopen it",
        (TicketStatuses.Solved, true) => "已解决——如需继续，直接回复即可重新打开",
        (TicketStatuses.Closed, false) => "Closed",
        (TicketStatuses.Closed, true) => "已关闭",
        _ => status,
    };

    /// <summary>Only the steps a customer should see, in their words; internal changes (tags, groups, notes) are left out.</summary>
    public static IReadOnlyList<TimelineStepResponse> For(IEnumerable<TicketEvent> events, string language, int reopenWindowDays)
    {
        var zh = language == "zh";
        var steps = new List<TimelineStepResponse>();
        foreach (var e in events.OrderBy(e => e.Id))
        {
            string? text = e.Kind switch
            {
                "created" => zh ? "我们已收到您的请求。" : "We received your request.",
                "redacted" => zh ? "为了您的安全，我们删除了您发送的卡号、验证码或密码。" : "For your safety we removed card details, codes or passwords you sent.",
                "assigned" => zh ? $"客服{e.Note}正在处理您的请求。" : $"{e.Note} is looking into your request.",
                "message_added" when e.ActorType == TicketActors.Agent => zh ? "客服回复了您。" : "An agent replied.",
                "status_changed" => e.ToValue switch
                {
                    TicketStatuses.PendingCustomer => zh ? "我们在等待您的回复。" : "We're waiting for your reply.",
                    TicketStatuses.OnHold => zh ? "我们已联系第三方（例如您的银行），通常在 2 个工作日内答复。" : "We asked a third party (for example your bank); they usually answer within 2 business days.",
                    TicketStatuses.Solved => zh ? $"我们认为问题已解决。{reopenWindowDays} 天内回复即可重新打开。" : $"We believe this is solved. Reply within {reopenWindowDays} days to reopen it.",
                    TicketStatuses.Closed => zh ? "请求已关闭。" : "Your request was closed.",
                    TicketStatuses.Open when e.FromValue is TicketStatuses.PendingCustomer or TicketStatuses.OnHold => zh ? "我们继续处理您的请求。" : "We're working on your request again.",
                    _ => null,
                },
                "wallet_action" when e.ToValue == "completed" && e.FromValue is "refund" or "reversal" => zh ? "我们已为您办理退款，款项退回您的钱包。" : "We refunded the money to your wallet.",
                "reopened" => zh ? "请求已重新打开。" : "Your request was reopened.",
                "merged_into" => zh ? $"此请求已合并到 #{e.ToValue}。" : $"This request was merged into #{e.ToValue}.",
                "follow_up" => zh ? $"这是 #{e.ToValue} 的后续请求。" : $"This follows up request #{e.ToValue}.",
                _ => null,
            };
            if (text is not null)
            {
                steps.Add(new TimelineStepResponse(e.At, text));
            }
        }

        return steps;
    }
}
