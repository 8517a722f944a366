namespace WalletDesk.Server.Features.Tickets;

/// <summary>The response times WalletDesk publishes to customers (help center "Contact support", the portal, the widget).</summary>
public static class PublishedResponseTimes
{
    public static string For(string channel, string priority, string language)
    {
        var zh = language == "zh";
        if (priority == TicketPriorities.Urgent)
        {
            return zh ? "安全和欺诈问题：15 分钟内首次回复，全天候" : "Security and fraud: first reply within 15 minutes, 24/7";
        }

        return (channel, zh) switch
        {
            (TicketChannels.Chat or TicketChannels.InApp, false) => "Live chat: first reply within 2 minutes, 24/7",
            (TicketChannels.Chat or TicketChannels.InApp, true) => "在线客服：2 分钟内首次回复，全天候",
            (TicketChannels.Email, false) => "Email: first reply within 4 hours, 24/7",
            (TicketChannels.Email, true) => "邮件：4 小时内首次回复，全天候",
            (TicketChannels.Phone, false) => "Phone callback: within 1 business hour (Mon–Fri 09:00–18:00)",
            (TicketChannels.Phone, true) => "电话回拨：1 个工作小时内（周一至周五 09:00–18:00）",
            (_, false) => "Web form: first reply within 8 business hours",
            (_, true) => "网页表单：8 个工作小时内首次回复",
        };
    }
}
