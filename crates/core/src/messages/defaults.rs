//! The templates Headend starts with: every event but the blast, on every
//! channel, in each built-in language ([`super::Language::BUILT_IN`]), in
//! the [`MessageTemplate`](super::template::MessageTemplate) file format.
//!
//! They are short and plain, as a small ISP writes to its customers. SMS
//! texts keep to the GSM alphabet so they are not sent (and billed) as
//! UCS-2: the Spanish and Portuguese ones pick words without the accents
//! GSM lacks, and the French ones keep to é, è, à and ù. WhatsApp bodies
//! neither start nor end with a placeholder, which Meta refuses; their
//! names are the same in every language (Meta keeps one template per name
//! with a translation per language).

use super::{Channel, MessageEvent};
use MessageEvent::*;

/// The default template of `event` on `channel` in `language`, an exact
/// built-in code (`en`, not `EN` or `en-gb`: the caller falls back from a
/// region to its base language). `None` for a blast, which the operator
/// writes each time, and for other languages.
pub fn template(event: MessageEvent, channel: Channel, language: &str) -> Option<&'static str> {
    let texts = match language {
        "en" => en(event),
        "es" => es(event),
        "pt" => pt(event),
        "fr" => fr(event),
        "id" => id(event),
        "sw" => sw(event),
        _ => None,
    }?;
    Some(match channel {
        Channel::Email => texts.email,
        Channel::Sms => texts.sms,
        Channel::Whatsapp => texts.whatsapp,
    })
}

/// One event's defaults in one language.
struct Texts {
    email: &'static str,
    sms: &'static str,
    whatsapp: &'static str,
}

/// The English defaults.
fn en(event: MessageEvent) -> Option<Texts> {
    Some(match event {
        InvoiceIssued => Texts {
            email: "Subject: Your {isp_name} invoice {invoice_number}\n\
                    \n\
                    Hello {customer_name},\n\
                    \n\
                    Your invoice {invoice_number} for {amount_due} is attached. Please pay it by {due_date}.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    If you have any questions, call us on {isp_phone}.\n\
                    \n\
                    Thank you for choosing {isp_name}.",
            sms: "{isp_name}: Hi {customer_name}, invoice {invoice_number} for {amount_due} is due {due_date}. {payment_instructions}",
            whatsapp: "Template: invoice_issued\n\
                       \n\
                       Hello {customer_name}, your invoice {invoice_number} for {amount_due} is ready. Please pay it by {due_date}.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Questions? Call us on {isp_phone}. Thank you!",
        },
        PaymentReceived => Texts {
            email: "Subject: Payment received, thank you!\n\
                    \n\
                    Hello {customer_name},\n\
                    \n\
                    We received your payment of {amount_paid}. Thank you! Your receipt {receipt_number} is attached.\n\
                    \n\
                    Your balance is now {balance}.\n\
                    \n\
                    If you have any questions, call us on {isp_phone}.\n\
                    \n\
                    Kind regards,\n\
                    {isp_name}",
            sms: "{isp_name}: Thank you {customer_name}, we received {amount_paid}. Receipt {receipt_number}. Balance now {balance}.",
            whatsapp: "Template: payment_received\n\
                       \n\
                       Thank you, {customer_name}! We received your payment of {amount_paid}.\n\
                       \n\
                       Receipt: {receipt_number}\n\
                       Balance: {balance}\n\
                       \n\
                       Thank you for choosing us.",
        },
        DueSoon => Texts {
            email: "Subject: Reminder: invoice {invoice_number} is due on {due_date}\n\
                    \n\
                    Hello {customer_name},\n\
                    \n\
                    This is a friendly reminder that invoice {invoice_number} for {amount_due} is due on {due_date}.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    If you have already paid, thank you, and please ignore this message.\n\
                    \n\
                    Kind regards,\n\
                    {isp_name}\n\
                    {isp_phone}",
            sms: "{isp_name}: Hi {customer_name}, reminder: invoice {invoice_number} ({amount_due}) is due {due_date}. {payment_instructions} Already paid? Thanks!",
            whatsapp: "Template: payment_due_soon\n\
                       \n\
                       Hello {customer_name}, a friendly reminder that invoice {invoice_number} for {amount_due} is due on {due_date}.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       If you have already paid, thank you, and please ignore this message.",
        },
        Overdue => Texts {
            email: "Subject: Invoice {invoice_number} is overdue\n\
                    \n\
                    Hello {customer_name},\n\
                    \n\
                    Our records show that invoice {invoice_number} was due on {due_date} and {amount_due} is still open.\n\
                    \n\
                    Please pay as soon as you can to keep your internet service running.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    If you have already paid, thank you, and please ignore this message. If you need help, call us on {isp_phone}.\n\
                    \n\
                    Kind regards,\n\
                    {isp_name}",
            sms: "{isp_name}: Hi {customer_name}, invoice {invoice_number} ({amount_due}) was due {due_date}. Please pay to stay connected. {payment_instructions}",
            whatsapp: "Template: payment_overdue\n\
                       \n\
                       Hello {customer_name}, invoice {invoice_number} was due on {due_date} and {amount_due} is still open. Please pay soon to keep your internet running.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Already paid? Thank you, and please ignore this message. Need help? Call us on {isp_phone}.",
        },
        Suspended => Texts {
            email: "Subject: Your internet service is suspended\n\
                    \n\
                    Hello {customer_name},\n\
                    \n\
                    Your internet service ({plan}) has been suspended because your account has an unpaid balance of {balance}.\n\
                    \n\
                    To reconnect, please pay the balance: your service comes back on as soon as we record the payment.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    If you have already paid or need help, call us on {isp_phone}.\n\
                    \n\
                    Kind regards,\n\
                    {isp_name}",
            sms: "{isp_name}: Hi {customer_name}, your internet is suspended for an unpaid balance of {balance}. Pay to reconnect. {payment_instructions} Help: {isp_phone}",
            whatsapp: "Template: service_suspended\n\
                       \n\
                       Hello {customer_name}, your internet service has been suspended because of an unpaid balance of {balance}.\n\
                       \n\
                       To reconnect, please pay the balance: your service comes back on as soon as we record the payment.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Need help? Call us on {isp_phone}.",
        },
        Reconnected => Texts {
            email: "Subject: Your internet service is back on\n\
                    \n\
                    Hello {customer_name},\n\
                    \n\
                    Good news: your internet service ({plan}) is back on. Thank you for staying with us.\n\
                    \n\
                    If you cannot connect, please restart your router. If that does not help, call us on {isp_phone}.\n\
                    \n\
                    Kind regards,\n\
                    {isp_name}",
            sms: "{isp_name}: Hi {customer_name}, your internet is back on. If you cannot connect, restart your router or call {isp_phone}.",
            whatsapp: "Template: service_reconnected\n\
                       \n\
                       Good news, {customer_name}! Your internet service is back on.\n\
                       \n\
                       If you cannot connect, please restart your router or call us on {isp_phone}. Thank you!",
        },
        PlanChanged => Texts {
            email: "Subject: Your plan is now {plan}\n\
                    \n\
                    Hello {customer_name},\n\
                    \n\
                    Your internet plan has been changed to {plan}. Your next invoice reflects the new plan.\n\
                    \n\
                    If you did not ask for this change or have any questions, call us on {isp_phone}.\n\
                    \n\
                    Kind regards,\n\
                    {isp_name}",
            sms: "{isp_name}: Hi {customer_name}, your internet plan is now {plan}. Questions? Call {isp_phone}.",
            whatsapp: "Template: plan_changed\n\
                       \n\
                       Hello {customer_name}, your internet plan is now {plan}. Your next invoice reflects the new plan.\n\
                       \n\
                       Questions? Call us on {isp_phone}.",
        },
        Blast => return None,
    })
}

/// The Spanish defaults.
fn es(event: MessageEvent) -> Option<Texts> {
    Some(match event {
        InvoiceIssued => Texts {
            email: "Subject: Su factura {invoice_number} de {isp_name}\n\
                    \n\
                    Hola, {customer_name}:\n\
                    \n\
                    Le enviamos adjunta su factura {invoice_number} por {amount_due}. Por favor, páguela antes del {due_date}.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Si tiene alguna pregunta, llámenos al {isp_phone}.\n\
                    \n\
                    Gracias por confiar en {isp_name}.",
            sms: "{isp_name}: Hola {customer_name}, su factura {invoice_number} por {amount_due} vence el {due_date}. {payment_instructions}",
            whatsapp: "Template: invoice_issued\n\
                       \n\
                       Hola, {customer_name}: su factura {invoice_number} por {amount_due} ya está disponible. Por favor, páguela antes del {due_date}.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       ¿Preguntas? Llámenos al {isp_phone}. ¡Gracias!",
        },
        PaymentReceived => Texts {
            email: "Subject: Pago recibido, ¡gracias!\n\
                    \n\
                    Hola, {customer_name}:\n\
                    \n\
                    Hemos recibido su pago de {amount_paid}. ¡Muchas gracias! Le adjuntamos su recibo {receipt_number}.\n\
                    \n\
                    Su saldo actual es de {balance}.\n\
                    \n\
                    Si tiene alguna pregunta, llámenos al {isp_phone}.\n\
                    \n\
                    Saludos cordiales,\n\
                    {isp_name}",
            sms: "{isp_name}: ¡Gracias, {customer_name}! Recibimos su pago de {amount_paid}. Recibo {receipt_number}. Saldo: {balance}.",
            whatsapp: "Template: payment_received\n\
                       \n\
                       ¡Gracias, {customer_name}! Hemos recibido su pago de {amount_paid}.\n\
                       \n\
                       Recibo: {receipt_number}\n\
                       Saldo actual: {balance}\n\
                       \n\
                       Gracias por confiar en nosotros.",
        },
        DueSoon => Texts {
            email: "Subject: Recordatorio: su factura {invoice_number} vence el {due_date}\n\
                    \n\
                    Hola, {customer_name}:\n\
                    \n\
                    Le recordamos que su factura {invoice_number} por {amount_due} vence el {due_date}.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Si ya realizó el pago, muchas gracias; puede ignorar este mensaje.\n\
                    \n\
                    Saludos cordiales,\n\
                    {isp_name}\n\
                    {isp_phone}",
            sms: "{isp_name}: Hola {customer_name}, le recordamos que su factura {invoice_number} por {amount_due} vence el {due_date}. {payment_instructions} Si ya hizo el pago, gracias.",
            whatsapp: "Template: payment_due_soon\n\
                       \n\
                       Hola, {customer_name}: le recordamos que su factura {invoice_number} por {amount_due} vence el {due_date}.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Si ya realizó el pago, muchas gracias; puede ignorar este mensaje.",
        },
        Overdue => Texts {
            email: "Subject: Su factura {invoice_number} está vencida\n\
                    \n\
                    Hola, {customer_name}:\n\
                    \n\
                    Según nuestros registros, su factura {invoice_number} venció el {due_date} y quedan pendientes {amount_due}.\n\
                    \n\
                    Le pedimos que realice el pago lo antes posible para mantener activo su servicio de internet.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Si ya realizó el pago, muchas gracias; puede ignorar este mensaje. Si necesita ayuda, llámenos al {isp_phone}.\n\
                    \n\
                    Saludos cordiales,\n\
                    {isp_name}",
            sms: "{isp_name}: Hola {customer_name}, la fecha de pago de su factura {invoice_number} ({amount_due}) era el {due_date}. Pague pronto para evitar el corte. {payment_instructions}",
            whatsapp: "Template: payment_overdue\n\
                       \n\
                       Hola, {customer_name}: su factura {invoice_number} venció el {due_date} y quedan pendientes {amount_due}. Por favor, pague pronto para mantener activo su internet.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Si ya realizó el pago, gracias; puede ignorar este mensaje. ¿Necesita ayuda? Llámenos al {isp_phone}.",
        },
        Suspended => Texts {
            email: "Subject: Su servicio de internet está suspendido\n\
                    \n\
                    Hola, {customer_name}:\n\
                    \n\
                    Su servicio de internet ({plan}) ha sido suspendido porque su cuenta tiene un saldo pendiente de {balance}.\n\
                    \n\
                    Para reconectarlo, pague el saldo: el servicio se reactiva en cuanto registremos el pago.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Si ya realizó el pago o necesita ayuda, llámenos al {isp_phone}.\n\
                    \n\
                    Saludos cordiales,\n\
                    {isp_name}",
            sms: "{isp_name}: Hola {customer_name}, su internet fue suspendido por un saldo pendiente de {balance}. Pague para reconectar. {payment_instructions} Ayuda: {isp_phone}",
            whatsapp: "Template: service_suspended\n\
                       \n\
                       Hola, {customer_name}: su servicio de internet ha sido suspendido por un saldo pendiente de {balance}.\n\
                       \n\
                       Para reconectarlo, pague el saldo: el servicio se reactiva en cuanto registremos el pago.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       ¿Necesita ayuda? Llámenos al {isp_phone}.",
        },
        Reconnected => Texts {
            email: "Subject: Su servicio de internet está activo de nuevo\n\
                    \n\
                    Hola, {customer_name}:\n\
                    \n\
                    Buenas noticias: su servicio de internet ({plan}) está activo de nuevo. Gracias por seguir con nosotros.\n\
                    \n\
                    Si no puede conectarse, reinicie su router. Si el problema continúa, llámenos al {isp_phone}.\n\
                    \n\
                    Saludos cordiales,\n\
                    {isp_name}",
            sms: "{isp_name}: Hola {customer_name}, su internet fue reconectado. Si no puede navegar, reinicie su router o llame al {isp_phone}.",
            whatsapp: "Template: service_reconnected\n\
                       \n\
                       ¡Buenas noticias, {customer_name}! Su servicio de internet está activo de nuevo.\n\
                       \n\
                       Si no puede conectarse, reinicie su router o llámenos al {isp_phone}. ¡Gracias!",
        },
        PlanChanged => Texts {
            email: "Subject: Su plan ahora es {plan}\n\
                    \n\
                    Hola, {customer_name}:\n\
                    \n\
                    Su plan de internet ha cambiado a {plan}. Su próxima factura reflejará el nuevo plan.\n\
                    \n\
                    Si no solicitó este cambio o tiene alguna pregunta, llámenos al {isp_phone}.\n\
                    \n\
                    Saludos cordiales,\n\
                    {isp_name}",
            sms: "{isp_name}: Hola {customer_name}, su plan de internet ahora es {plan}. Consultas: {isp_phone}",
            whatsapp: "Template: plan_changed\n\
                       \n\
                       Hola, {customer_name}: su plan de internet ahora es {plan}. Su próxima factura reflejará el nuevo plan.\n\
                       \n\
                       ¿Preguntas? Llámenos al {isp_phone}.",
        },
        Blast => return None,
    })
}

/// The Portuguese defaults.
fn pt(event: MessageEvent) -> Option<Texts> {
    Some(match event {
        InvoiceIssued => Texts {
            email: "Subject: Fatura {invoice_number} - {isp_name}\n\
                    \n\
                    Olá, {customer_name}!\n\
                    \n\
                    Sua fatura {invoice_number} no valor de {amount_due} está em anexo. Por favor, pague até {due_date}.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Em caso de dúvidas, ligue para {isp_phone}.\n\
                    \n\
                    Obrigado pela preferência!\n\
                    {isp_name}",
            sms: "{isp_name}: {customer_name}, sua fatura {invoice_number} de {amount_due} vence em {due_date}. {payment_instructions}",
            whatsapp: "Template: invoice_issued\n\
                       \n\
                       Olá, {customer_name}! Sua fatura {invoice_number} no valor de {amount_due} já está disponível. Por favor, pague até {due_date}.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Dúvidas? Ligue para {isp_phone}. Obrigado!",
        },
        PaymentReceived => Texts {
            email: "Subject: Pagamento recebido. Obrigado!\n\
                    \n\
                    Olá, {customer_name}!\n\
                    \n\
                    Recebemos seu pagamento de {amount_paid}. Muito obrigado! Seu recibo {receipt_number} está em anexo.\n\
                    \n\
                    Seu saldo agora é de {balance}.\n\
                    \n\
                    Em caso de dúvidas, ligue para {isp_phone}.\n\
                    \n\
                    Atenciosamente,\n\
                    {isp_name}",
            sms: "{isp_name}: Obrigado, {customer_name}! Recebemos seu pagamento de {amount_paid}. Recibo {receipt_number}. Saldo: {balance}.",
            whatsapp: "Template: payment_received\n\
                       \n\
                       Obrigado, {customer_name}! Recebemos seu pagamento de {amount_paid}.\n\
                       \n\
                       Recibo: {receipt_number}\n\
                       Saldo: {balance}\n\
                       \n\
                       Obrigado pela preferência!",
        },
        DueSoon => Texts {
            email: "Subject: Lembrete: a fatura {invoice_number} vence em {due_date}\n\
                    \n\
                    Olá, {customer_name}!\n\
                    \n\
                    Lembramos que sua fatura {invoice_number} no valor de {amount_due} vence em {due_date}.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Se você já pagou, obrigado e desconsidere esta mensagem.\n\
                    \n\
                    Atenciosamente,\n\
                    {isp_name}\n\
                    {isp_phone}",
            sms: "{isp_name}: {customer_name}, lembrete: sua fatura {invoice_number} de {amount_due} vence em {due_date}. {payment_instructions} Se o pagamento foi feito, obrigado!",
            whatsapp: "Template: payment_due_soon\n\
                       \n\
                       Olá, {customer_name}! Lembramos que sua fatura {invoice_number} no valor de {amount_due} vence em {due_date}.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Se você já pagou, obrigado e desconsidere esta mensagem.",
        },
        Overdue => Texts {
            email: "Subject: A fatura {invoice_number} está vencida\n\
                    \n\
                    Olá, {customer_name}!\n\
                    \n\
                    Não identificamos o pagamento da fatura {invoice_number}, que venceu em {due_date}. O valor em aberto é de {amount_due}.\n\
                    \n\
                    Por favor, pague o quanto antes para manter sua internet funcionando.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Se você já pagou, obrigado e desconsidere esta mensagem. Precisa de ajuda? Ligue para {isp_phone}.\n\
                    \n\
                    Atenciosamente,\n\
                    {isp_name}",
            sms: "{isp_name}: {customer_name}, a fatura {invoice_number} de {amount_due} venceu em {due_date}. Pague assim que puder para manter sua internet ligada. {payment_instructions}",
            whatsapp: "Template: payment_overdue\n\
                       \n\
                       Olá, {customer_name}! A fatura {invoice_number} venceu em {due_date} e o valor de {amount_due} está em aberto. Por favor, pague o quanto antes para manter sua internet funcionando.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Se você já pagou, desconsidere esta mensagem. Precisa de ajuda? Ligue para {isp_phone}.",
        },
        Suspended => Texts {
            email: "Subject: Sua internet foi suspensa\n\
                    \n\
                    Olá, {customer_name}!\n\
                    \n\
                    Sua internet ({plan}) foi suspensa por causa de um saldo em aberto de {balance}.\n\
                    \n\
                    Para religar, basta pagar o saldo: a conexão volta assim que o pagamento for registrado.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Se você já pagou ou precisa de ajuda, ligue para {isp_phone}.\n\
                    \n\
                    Atenciosamente,\n\
                    {isp_name}",
            sms: "{isp_name}: {customer_name}, sua internet foi suspensa por saldo em aberto de {balance}. Pague para religar. {payment_instructions} Ajuda: {isp_phone}",
            whatsapp: "Template: service_suspended\n\
                       \n\
                       Olá, {customer_name}! Sua internet foi suspensa por causa de um saldo em aberto de {balance}.\n\
                       \n\
                       Para religar, basta pagar o saldo: a conexão volta assim que o pagamento for registrado.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Precisa de ajuda? Ligue para {isp_phone}.",
        },
        Reconnected => Texts {
            email: "Subject: Sua internet foi religada\n\
                    \n\
                    Olá, {customer_name}!\n\
                    \n\
                    Boa notícia: sua internet ({plan}) foi religada. Obrigado por continuar com a gente.\n\
                    \n\
                    Se não conseguir se conectar, reinicie o roteador. Se o problema continuar, ligue para {isp_phone}.\n\
                    \n\
                    Atenciosamente,\n\
                    {isp_name}",
            sms: "{isp_name}: {customer_name}, sua internet foi religada. Problemas? Reinicie o roteador ou ligue para {isp_phone}.",
            whatsapp: "Template: service_reconnected\n\
                       \n\
                       Boa notícia, {customer_name}! Sua internet foi religada.\n\
                       \n\
                       Se não conseguir se conectar, reinicie o roteador ou ligue para {isp_phone}. Obrigado!",
        },
        PlanChanged => Texts {
            email: "Subject: Seu plano agora é {plan}\n\
                    \n\
                    Olá, {customer_name}!\n\
                    \n\
                    Seu plano de internet foi alterado para {plan}. A próxima fatura já virá com o novo plano.\n\
                    \n\
                    Se você não pediu essa alteração ou tem alguma dúvida, ligue para {isp_phone}.\n\
                    \n\
                    Atenciosamente,\n\
                    {isp_name}",
            sms: "{isp_name}: {customer_name}, seu plano de internet agora é {plan}. Fale conosco: {isp_phone}",
            whatsapp: "Template: plan_changed\n\
                       \n\
                       Olá, {customer_name}! Seu plano de internet agora é {plan}. A próxima fatura já virá com o novo plano.\n\
                       \n\
                       Dúvidas? Ligue para {isp_phone}.",
        },
        Blast => return None,
    })
}

/// The French defaults.
fn fr(event: MessageEvent) -> Option<Texts> {
    Some(match event {
        InvoiceIssued => Texts {
            email: "Subject: Facture {invoice_number} - {isp_name}\n\
                    \n\
                    Bonjour {customer_name},\n\
                    \n\
                    Veuillez trouver ci-joint votre facture {invoice_number} d'un montant de {amount_due}, à régler avant le {due_date}.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Pour toute question, appelez-nous au {isp_phone}.\n\
                    \n\
                    Merci de votre confiance,\n\
                    {isp_name}",
            sms: "{isp_name} : Bonjour {customer_name}, votre facture {invoice_number} de {amount_due} est à régler avant le {due_date}. {payment_instructions}",
            whatsapp: "Template: invoice_issued\n\
                       \n\
                       Bonjour {customer_name}, votre facture {invoice_number} d'un montant de {amount_due} est disponible. Merci de la régler avant le {due_date}.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Une question ? Appelez-nous au {isp_phone}. Merci !",
        },
        PaymentReceived => Texts {
            email: "Subject: Paiement reçu, merci !\n\
                    \n\
                    Bonjour {customer_name},\n\
                    \n\
                    Nous avons bien reçu votre paiement de {amount_paid}. Merci ! Votre reçu {receipt_number} est joint à ce message.\n\
                    \n\
                    Votre solde est maintenant de {balance}.\n\
                    \n\
                    Pour toute question, appelez-nous au {isp_phone}.\n\
                    \n\
                    Cordialement,\n\
                    {isp_name}",
            sms: "{isp_name} : Merci {customer_name} ! Votre paiement de {amount_paid} est bien enregistré. Justificatif {receipt_number}. Solde : {balance}.",
            whatsapp: "Template: payment_received\n\
                       \n\
                       Merci {customer_name} ! Nous avons bien reçu votre paiement de {amount_paid}.\n\
                       \n\
                       Reçu : {receipt_number}\n\
                       Solde : {balance}\n\
                       \n\
                       Merci de votre confiance.",
        },
        DueSoon => Texts {
            email: "Subject: Rappel : facture {invoice_number} à régler avant le {due_date}\n\
                    \n\
                    Bonjour {customer_name},\n\
                    \n\
                    Nous vous rappelons que votre facture {invoice_number} d'un montant de {amount_due} est à régler avant le {due_date}.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Si vous avez déjà payé, merci et ne tenez pas compte de ce message.\n\
                    \n\
                    Cordialement,\n\
                    {isp_name}\n\
                    {isp_phone}",
            sms: "{isp_name} : Bonjour {customer_name}, rappel : votre facture {invoice_number} de {amount_due} est à régler avant le {due_date}. {payment_instructions} Déjà payé ? Merci !",
            whatsapp: "Template: payment_due_soon\n\
                       \n\
                       Bonjour {customer_name}, nous vous rappelons que votre facture {invoice_number} d'un montant de {amount_due} est à régler avant le {due_date}.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Si vous avez déjà payé, merci et ne tenez pas compte de ce message.",
        },
        Overdue => Texts {
            email: "Subject: Facture {invoice_number} en retard de paiement\n\
                    \n\
                    Bonjour {customer_name},\n\
                    \n\
                    Sauf erreur de notre part, votre facture {invoice_number} était à régler le {due_date} et il reste {amount_due} à payer.\n\
                    \n\
                    Merci de la régler au plus vite pour éviter une coupure de votre accès internet.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Si vous avez déjà payé, merci et ne tenez pas compte de ce message. Besoin d'aide ? Appelez-nous au {isp_phone}.\n\
                    \n\
                    Cordialement,\n\
                    {isp_name}",
            sms: "{isp_name} : Bonjour {customer_name}, votre facture {invoice_number} de {amount_due} était à régler le {due_date}. Merci de payer vite pour éviter une coupure. {payment_instructions}",
            whatsapp: "Template: payment_overdue\n\
                       \n\
                       Bonjour {customer_name}, votre facture {invoice_number} était à régler le {due_date} et il reste {amount_due} à payer. Merci de la régler au plus vite pour éviter une coupure.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Déjà payé ? Merci, ne tenez pas compte de ce message. Besoin d'aide ? Appelez-nous au {isp_phone}.",
        },
        Suspended => Texts {
            email: "Subject: Votre accès internet est suspendu\n\
                    \n\
                    Bonjour {customer_name},\n\
                    \n\
                    Votre accès internet ({plan}) a été suspendu en raison d'un solde impayé de {balance}.\n\
                    \n\
                    Pour le rétablir, il suffit de régler ce solde : votre accès revient dès que le paiement est enregistré.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Si vous avez déjà payé ou avez besoin d'aide, appelez-nous au {isp_phone}.\n\
                    \n\
                    Cordialement,\n\
                    {isp_name}",
            sms: "{isp_name} : Bonjour {customer_name}, votre accès internet est suspendu pour un solde impayé de {balance}. Réglez-le pour le rétablir. {payment_instructions} Aide : {isp_phone}",
            whatsapp: "Template: service_suspended\n\
                       \n\
                       Bonjour {customer_name}, votre accès internet a été suspendu en raison d'un solde impayé de {balance}.\n\
                       \n\
                       Pour le rétablir, il suffit de régler ce solde : votre accès revient dès que le paiement est enregistré.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Besoin d'aide ? Appelez-nous au {isp_phone}.",
        },
        Reconnected => Texts {
            email: "Subject: Votre accès internet est rétabli\n\
                    \n\
                    Bonjour {customer_name},\n\
                    \n\
                    Bonne nouvelle : votre accès internet ({plan}) est rétabli. Merci de votre confiance.\n\
                    \n\
                    Si vous n'arrivez pas à vous connecter, redémarrez votre routeur. Si le problème persiste, appelez-nous au {isp_phone}.\n\
                    \n\
                    Cordialement,\n\
                    {isp_name}",
            sms: "{isp_name} : Bonjour {customer_name}, votre accès internet est rétabli. Un souci ? Redémarrez votre routeur ou appelez le {isp_phone}.",
            whatsapp: "Template: service_reconnected\n\
                       \n\
                       Bonne nouvelle, {customer_name} ! Votre accès internet est rétabli.\n\
                       \n\
                       Si vous n'arrivez pas à vous connecter, redémarrez votre routeur ou appelez-nous au {isp_phone}. Merci !",
        },
        PlanChanged => Texts {
            email: "Subject: Votre forfait est désormais {plan}\n\
                    \n\
                    Bonjour {customer_name},\n\
                    \n\
                    Votre forfait internet a été changé pour {plan}. Votre prochaine facture tiendra compte de ce changement.\n\
                    \n\
                    Si vous n'avez pas demandé ce changement ou pour toute question, appelez-nous au {isp_phone}.\n\
                    \n\
                    Cordialement,\n\
                    {isp_name}",
            sms: "{isp_name} : Bonjour {customer_name}, votre forfait internet est désormais {plan}. Questions : {isp_phone}",
            whatsapp: "Template: plan_changed\n\
                       \n\
                       Bonjour {customer_name}, votre forfait internet est désormais {plan}. Votre prochaine facture tiendra compte de ce changement.\n\
                       \n\
                       Une question ? Appelez-nous au {isp_phone}.",
        },
        Blast => return None,
    })
}

/// The Indonesian defaults.
fn id(event: MessageEvent) -> Option<Texts> {
    Some(match event {
        InvoiceIssued => Texts {
            email: "Subject: Tagihan {invoice_number} dari {isp_name}\n\
                    \n\
                    Halo {customer_name},\n\
                    \n\
                    Tagihan {invoice_number} sebesar {amount_due} terlampir pada email ini. Mohon lakukan pembayaran paling lambat {due_date}.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Jika ada pertanyaan, silakan hubungi kami di {isp_phone}.\n\
                    \n\
                    Terima kasih telah memilih {isp_name}.",
            sms: "{isp_name}: Halo {customer_name}, tagihan {invoice_number} sebesar {amount_due} jatuh tempo {due_date}. {payment_instructions}",
            whatsapp: "Template: invoice_issued\n\
                       \n\
                       Halo {customer_name}, tagihan {invoice_number} sebesar {amount_due} sudah terbit. Mohon lakukan pembayaran paling lambat {due_date}.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Ada pertanyaan? Hubungi kami di {isp_phone}. Terima kasih!",
        },
        PaymentReceived => Texts {
            email: "Subject: Pembayaran diterima, terima kasih!\n\
                    \n\
                    Halo {customer_name},\n\
                    \n\
                    Pembayaran Anda sebesar {amount_paid} sudah kami terima. Terima kasih! Kuitansi {receipt_number} terlampir pada email ini.\n\
                    \n\
                    Sisa tagihan Anda sekarang {balance}.\n\
                    \n\
                    Jika ada pertanyaan, silakan hubungi kami di {isp_phone}.\n\
                    \n\
                    Salam hormat,\n\
                    {isp_name}",
            sms: "{isp_name}: Terima kasih {customer_name}, pembayaran {amount_paid} sudah kami terima. Kuitansi {receipt_number}. Sisa tagihan: {balance}.",
            whatsapp: "Template: payment_received\n\
                       \n\
                       Terima kasih, {customer_name}! Pembayaran Anda sebesar {amount_paid} sudah kami terima.\n\
                       \n\
                       Kuitansi: {receipt_number}\n\
                       Sisa tagihan: {balance}\n\
                       \n\
                       Terima kasih telah memilih layanan kami.",
        },
        DueSoon => Texts {
            email: "Subject: Pengingat: tagihan {invoice_number} jatuh tempo {due_date}\n\
                    \n\
                    Halo {customer_name},\n\
                    \n\
                    Kami ingin mengingatkan bahwa tagihan {invoice_number} sebesar {amount_due} akan jatuh tempo pada {due_date}.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Jika Anda sudah membayar, terima kasih dan abaikan pesan ini.\n\
                    \n\
                    Salam hormat,\n\
                    {isp_name}\n\
                    {isp_phone}",
            sms: "{isp_name}: Halo {customer_name}, pengingat: tagihan {invoice_number} sebesar {amount_due} jatuh tempo {due_date}. {payment_instructions} Sudah bayar? Terima kasih!",
            whatsapp: "Template: payment_due_soon\n\
                       \n\
                       Halo {customer_name}, kami ingin mengingatkan bahwa tagihan {invoice_number} sebesar {amount_due} akan jatuh tempo pada {due_date}.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Jika Anda sudah membayar, terima kasih dan abaikan pesan ini.",
        },
        Overdue => Texts {
            email: "Subject: Tagihan {invoice_number} sudah lewat jatuh tempo\n\
                    \n\
                    Halo {customer_name},\n\
                    \n\
                    Tagihan {invoice_number} sudah jatuh tempo pada {due_date} dan masih tersisa {amount_due} yang belum dibayar.\n\
                    \n\
                    Mohon segera lakukan pembayaran agar layanan internet Anda tidak terputus.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Jika Anda sudah membayar, terima kasih dan abaikan pesan ini. Butuh bantuan? Hubungi kami di {isp_phone}.\n\
                    \n\
                    Salam hormat,\n\
                    {isp_name}",
            sms: "{isp_name}: Halo {customer_name}, tagihan {invoice_number} sebesar {amount_due} sudah lewat jatuh tempo ({due_date}). Mohon segera bayar agar layanan tidak terputus. {payment_instructions}",
            whatsapp: "Template: payment_overdue\n\
                       \n\
                       Halo {customer_name}, tagihan {invoice_number} sudah jatuh tempo pada {due_date} dan masih tersisa {amount_due}. Mohon segera lakukan pembayaran agar layanan internet Anda tidak terputus.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Jika sudah membayar, abaikan pesan ini. Butuh bantuan? Hubungi kami di {isp_phone}.",
        },
        Suspended => Texts {
            email: "Subject: Layanan internet Anda dihentikan sementara\n\
                    \n\
                    Halo {customer_name},\n\
                    \n\
                    Layanan internet Anda ({plan}) dihentikan sementara karena masih ada tunggakan sebesar {balance}.\n\
                    \n\
                    Untuk mengaktifkan kembali, silakan lunasi tunggakan tersebut: layanan akan aktif kembali setelah pembayaran tercatat.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Jika Anda sudah membayar atau butuh bantuan, hubungi kami di {isp_phone}.\n\
                    \n\
                    Salam hormat,\n\
                    {isp_name}",
            sms: "{isp_name}: Halo {customer_name}, layanan internet Anda dihentikan sementara karena tunggakan {balance}. Bayar untuk mengaktifkan kembali. {payment_instructions} Bantuan: {isp_phone}",
            whatsapp: "Template: service_suspended\n\
                       \n\
                       Halo {customer_name}, layanan internet Anda dihentikan sementara karena masih ada tunggakan sebesar {balance}.\n\
                       \n\
                       Silakan lunasi tunggakan tersebut: layanan akan aktif kembali setelah pembayaran tercatat.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Butuh bantuan? Hubungi kami di {isp_phone}.",
        },
        Reconnected => Texts {
            email: "Subject: Layanan internet Anda sudah aktif kembali\n\
                    \n\
                    Halo {customer_name},\n\
                    \n\
                    Kabar baik: layanan internet Anda ({plan}) sudah aktif kembali. Terima kasih telah tetap bersama kami.\n\
                    \n\
                    Jika belum bisa terhubung, silakan nyalakan ulang router Anda. Jika masih bermasalah, hubungi kami di {isp_phone}.\n\
                    \n\
                    Salam hormat,\n\
                    {isp_name}",
            sms: "{isp_name}: Halo {customer_name}, internet Anda sudah aktif kembali. Belum terhubung? Nyalakan ulang router atau hubungi {isp_phone}.",
            whatsapp: "Template: service_reconnected\n\
                       \n\
                       Kabar baik, {customer_name}! Layanan internet Anda sudah aktif kembali.\n\
                       \n\
                       Jika belum bisa terhubung, nyalakan ulang router Anda atau hubungi kami di {isp_phone}. Terima kasih!",
        },
        PlanChanged => Texts {
            email: "Subject: Paket internet Anda sekarang {plan}\n\
                    \n\
                    Halo {customer_name},\n\
                    \n\
                    Paket internet Anda telah diubah menjadi {plan}. Perubahan ini akan tercantum pada tagihan berikutnya.\n\
                    \n\
                    Jika Anda tidak meminta perubahan ini atau ada pertanyaan, hubungi kami di {isp_phone}.\n\
                    \n\
                    Salam hormat,\n\
                    {isp_name}",
            sms: "{isp_name}: Halo {customer_name}, paket internet Anda sekarang {plan}. Pertanyaan? Hubungi {isp_phone}.",
            whatsapp: "Template: plan_changed\n\
                       \n\
                       Halo {customer_name}, paket internet Anda sekarang {plan}. Perubahan ini akan tercantum pada tagihan berikutnya.\n\
                       \n\
                       Ada pertanyaan? Hubungi kami di {isp_phone}.",
        },
        Blast => return None,
    })
}

/// The Swahili defaults.
fn sw(event: MessageEvent) -> Option<Texts> {
    Some(match event {
        InvoiceIssued => Texts {
            email: "Subject: Ankara {invoice_number} kutoka {isp_name}\n\
                    \n\
                    Habari {customer_name},\n\
                    \n\
                    Ankara yako {invoice_number} ya {amount_due} imeambatishwa kwenye barua pepe hii. Tafadhali lipa kabla ya {due_date}.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Kwa maswali yoyote, tupigie kwa {isp_phone}.\n\
                    \n\
                    Asante kwa kuchagua {isp_name}.",
            sms: "{isp_name}: Habari {customer_name}, ankara yako {invoice_number} ya {amount_due} inapaswa kulipwa kabla ya {due_date}. {payment_instructions}",
            whatsapp: "Template: invoice_issued\n\
                       \n\
                       Habari {customer_name}, ankara yako {invoice_number} ya {amount_due} iko tayari. Tafadhali lipa kabla ya {due_date}.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Una swali? Tupigie kwa {isp_phone}. Asante!",
        },
        PaymentReceived => Texts {
            email: "Subject: Tumepokea malipo yako, asante!\n\
                    \n\
                    Habari {customer_name},\n\
                    \n\
                    Tumepokea malipo yako ya {amount_paid}. Asante sana! Risiti yako {receipt_number} imeambatishwa.\n\
                    \n\
                    Kiasi unachodaiwa sasa ni {balance}.\n\
                    \n\
                    Kwa maswali yoyote, tupigie kwa {isp_phone}.\n\
                    \n\
                    Kwa heshima,\n\
                    {isp_name}",
            sms: "{isp_name}: Asante {customer_name}, tumepokea malipo yako ya {amount_paid}. Risiti {receipt_number}. Deni lililobaki: {balance}.",
            whatsapp: "Template: payment_received\n\
                       \n\
                       Asante, {customer_name}! Tumepokea malipo yako ya {amount_paid}.\n\
                       \n\
                       Risiti: {receipt_number}\n\
                       Deni lililobaki: {balance}\n\
                       \n\
                       Asante kwa kuendelea kutumia huduma zetu.",
        },
        DueSoon => Texts {
            email: "Subject: Kikumbusho: ankara {invoice_number} inalipwa kabla ya {due_date}\n\
                    \n\
                    Habari {customer_name},\n\
                    \n\
                    Tunakukumbusha kwamba ankara yako {invoice_number} ya {amount_due} inapaswa kulipwa kabla ya {due_date}.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Kama umeshalipa, asante, na tafadhali puuza ujumbe huu.\n\
                    \n\
                    Kwa heshima,\n\
                    {isp_name}\n\
                    {isp_phone}",
            sms: "{isp_name}: Habari {customer_name}, kikumbusho: ankara {invoice_number} ya {amount_due} inapaswa kulipwa kabla ya {due_date}. {payment_instructions} Kama umeshalipa, asante!",
            whatsapp: "Template: payment_due_soon\n\
                       \n\
                       Habari {customer_name}, tunakukumbusha kwamba ankara yako {invoice_number} ya {amount_due} inapaswa kulipwa kabla ya {due_date}.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Kama umeshalipa, asante, na tafadhali puuza ujumbe huu.",
        },
        Overdue => Texts {
            email: "Subject: Ankara {invoice_number} imepita tarehe ya malipo\n\
                    \n\
                    Habari {customer_name},\n\
                    \n\
                    Ankara yako {invoice_number} ilipaswa kulipwa tarehe {due_date}, na bado kiasi cha {amount_due} hakijalipwa.\n\
                    \n\
                    Tafadhali lipa mapema iwezekanavyo ili huduma yako ya intaneti isikatizwe.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Kama umeshalipa, asante, na tafadhali puuza ujumbe huu. Kwa msaada, tupigie kwa {isp_phone}.\n\
                    \n\
                    Kwa heshima,\n\
                    {isp_name}",
            sms: "{isp_name}: Habari {customer_name}, ankara {invoice_number} ya {amount_due} ilipaswa kulipwa {due_date}. Tafadhali lipa mapema ili huduma isikatizwe. {payment_instructions}",
            whatsapp: "Template: payment_overdue\n\
                       \n\
                       Habari {customer_name}, ankara yako {invoice_number} ilipaswa kulipwa tarehe {due_date}, na bado kiasi cha {amount_due} hakijalipwa. Tafadhali lipa mapema ili huduma yako isikatizwe.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Kama umeshalipa, puuza ujumbe huu. Unahitaji msaada? Tupigie kwa {isp_phone}.",
        },
        Suspended => Texts {
            email: "Subject: Huduma yako ya intaneti imesitishwa\n\
                    \n\
                    Habari {customer_name},\n\
                    \n\
                    Huduma yako ya intaneti ({plan}) imesitishwa kwa sababu ya deni la {balance} ambalo bado halijalipwa.\n\
                    \n\
                    Ili kuunganishwa tena, tafadhali lipa deni hilo: huduma itarejea mara tu malipo yatakapopokelewa.\n\
                    \n\
                    {payment_instructions}\n\
                    \n\
                    Kama umeshalipa au unahitaji msaada, tupigie kwa {isp_phone}.\n\
                    \n\
                    Kwa heshima,\n\
                    {isp_name}",
            sms: "{isp_name}: Habari {customer_name}, huduma yako ya intaneti imesitishwa kwa sababu ya deni la {balance}. Lipa ili uunganishwe tena. {payment_instructions} Msaada: {isp_phone}",
            whatsapp: "Template: service_suspended\n\
                       \n\
                       Habari {customer_name}, huduma yako ya intaneti imesitishwa kwa sababu ya deni la {balance} ambalo bado halijalipwa.\n\
                       \n\
                       Tafadhali lipa deni hilo ili uunganishwe tena: huduma itarejea mara tu malipo yatakapopokelewa.\n\
                       \n\
                       {payment_instructions}\n\
                       \n\
                       Unahitaji msaada? Tupigie kwa {isp_phone}.",
        },
        Reconnected => Texts {
            email: "Subject: Huduma yako ya intaneti imerejeshwa\n\
                    \n\
                    Habari {customer_name},\n\
                    \n\
                    Habari njema: huduma yako ya intaneti ({plan}) imerejeshwa. Asante kwa kuendelea kuwa nasi.\n\
                    \n\
                    Kama huwezi kuunganisha, zima kisha uwashe router yako. Tatizo likiendelea, tupigie kwa {isp_phone}.\n\
                    \n\
                    Kwa heshima,\n\
                    {isp_name}",
            sms: "{isp_name}: Habari {customer_name}, intaneti yako imerejeshwa. Kama haiunganishi, zima na uwashe router au piga {isp_phone}.",
            whatsapp: "Template: service_reconnected\n\
                       \n\
                       Habari njema, {customer_name}! Huduma yako ya intaneti imerejeshwa.\n\
                       \n\
                       Kama huwezi kuunganisha, zima kisha uwashe router yako au tupigie kwa {isp_phone}. Asante!",
        },
        PlanChanged => Texts {
            email: "Subject: Kifurushi chako sasa ni {plan}\n\
                    \n\
                    Habari {customer_name},\n\
                    \n\
                    Kifurushi chako cha intaneti kimebadilishwa kuwa {plan}. Mabadiliko haya yataonekana kwenye ankara yako ijayo.\n\
                    \n\
                    Kama hukuomba mabadiliko haya au una swali lolote, tupigie kwa {isp_phone}.\n\
                    \n\
                    Kwa heshima,\n\
                    {isp_name}",
            sms: "{isp_name}: Habari {customer_name}, kifurushi chako cha intaneti sasa ni {plan}. Maswali: {isp_phone}",
            whatsapp: "Template: plan_changed\n\
                       \n\
                       Habari {customer_name}, kifurushi chako cha intaneti sasa ni {plan}. Mabadiliko haya yataonekana kwenye ankara yako ijayo.\n\
                       \n\
                       Una swali? Tupigie kwa {isp_phone}.",
        },
        Blast => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::Language;
    use crate::messages::sms::{self, SmsEncoding};
    use crate::messages::template::{MessageTemplate, Placeholder, Values};

    /// Values of a usual length: what the SMS lengths are checked with.
    fn typical() -> Values {
        [
            (Placeholder::CustomerName, "Jane Wanjiru"),
            (Placeholder::IspName, "Fibra Sul"),
            (Placeholder::IspPhone, "+254 712 345 678"),
            (Placeholder::PaymentInstructions, "Pay by M-Pesa, Paybill 123456, account 4567."),
            (Placeholder::Plan, "Home 20 Mbps"),
            (Placeholder::Balance, "KES 2,500.00"),
            (Placeholder::InvoiceNumber, "INV-2026-0042"),
            (Placeholder::AmountDue, "KES 2,500.00"),
            (Placeholder::DueDate, "2026-03-15"),
            (Placeholder::AmountPaid, "KES 2,500.00"),
            (Placeholder::ReceiptNumber, "RCT-2026-0042"),
        ]
        .into_iter()
        .map(|(p, v)| (p, v.to_owned()))
        .collect()
    }

    fn events() -> impl Iterator<Item = MessageEvent> {
        MessageEvent::ALL.into_iter().filter(|e| *e != Blast)
    }

    fn parsed(event: MessageEvent, channel: Channel, language: &str) -> MessageTemplate {
        let text = template(event, channel, language).unwrap_or_else(|| panic!("{language} {event} {channel}"));
        MessageTemplate::parse(channel, event, text).unwrap_or_else(|e| panic!("{language} {event} {channel}: {e}"))
    }

    #[test]
    fn every_default_parses_and_round_trips() {
        for language in Language::BUILT_IN {
            for event in events() {
                for channel in Channel::ALL {
                    let t = parsed(event, channel, language);
                    assert_eq!(t.to_text(), template(event, channel, language).unwrap_or_default());
                    let rendered = t.render(&typical());
                    assert!(!rendered.body.contains(['{', '}']), "{language} {event} {channel}");
                }
            }
        }
    }

    #[test]
    fn whatsapp_names_are_the_same_in_every_language() {
        let names = [
            (InvoiceIssued, "invoice_issued"),
            (PaymentReceived, "payment_received"),
            (DueSoon, "payment_due_soon"),
            (Overdue, "payment_overdue"),
            (Suspended, "service_suspended"),
            (Reconnected, "service_reconnected"),
            (PlanChanged, "plan_changed"),
        ];
        for language in Language::BUILT_IN {
            for (event, name) in names {
                let t = parsed(event, Channel::Whatsapp, language);
                assert_eq!(t.whatsapp_name.as_deref(), Some(name), "{language} {event}");
                let body = t.body.source();
                assert!(!body.starts_with('{') && !body.ends_with('}'), "{language} {event}: Meta refuses it");
            }
        }
    }

    #[test]
    fn sms_defaults_are_gsm_and_short() {
        for language in Language::BUILT_IN {
            for event in events() {
                let text = parsed(event, Channel::Sms, language).render(&typical()).body;
                let length = sms::length(&text);
                assert_eq!(length.encoding, SmsEncoding::Gsm7, "{language} {event}: {text}");
                assert!(length.segments <= 2, "{language} {event}: {length:?} {text}");
            }
        }
    }

    #[test]
    fn english_sms_segments_with_typical_values() {
        let segments = [
            (InvoiceIssued, 1),
            (PaymentReceived, 1),
            (DueSoon, 1),
            (Overdue, 1),
            (Suspended, 2),
            (Reconnected, 1),
            (PlanChanged, 1),
        ];
        for (event, expected) in segments {
            let text = parsed(event, Channel::Sms, "en").render(&typical()).body;
            assert_eq!(sms::length(&text).segments, expected, "{event}: {text}");
        }
    }

    #[test]
    fn only_built_in_codes_and_no_blast() {
        for channel in Channel::ALL {
            assert_eq!(template(Blast, channel, "en"), None);
            for language in ["EN", "en-gb", "pt-br", "de", "", " en"] {
                assert_eq!(template(InvoiceIssued, channel, language), None, "{language:?}");
            }
        }
    }
}
