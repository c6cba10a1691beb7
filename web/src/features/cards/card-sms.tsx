import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { sendSms, smsThread } from '../../api/card-extras-api.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { formatInstant } from '../../format.js';

/** The card's SMS thread, oldest first, and a send box when the supplier can send. */
export function CardSms(props: { cardId: number; canSend: boolean; reason: string | null }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [text, setText] = useState('');
  const thread = useQuery({
    queryKey: ['card-sms', props.cardId],
    queryFn: () => smsThread(props.cardId),
  });
  const send = useMutation({
    mutationFn: (body: string) => sendSms(props.cardId, body),
    onSuccess: () => {
      setText('');
      void client.invalidateQueries({ queryKey: ['card-sms', props.cardId] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim()) send.mutate(text.trim());
  };
  return (
    <div className="panel" data-testid="sms-thread">
      <h2>{t('sms.title')}</h2>
      {thread.isPending ? (
        <Loading />
      ) : thread.isError ? (
        <ErrorMessage error={thread.error} />
      ) : thread.data.length === 0 ? (
        <Empty>{t('sms.none')}</Empty>
      ) : (
        <ol className="sms-thread">
          {thread.data.map((message) => (
            <li key={message.id} className={`sms sms-${message.direction === 'in' ? 'in' : 'out'}`}>
              <div className="sms-text">{message.text}</div>
              <div className="sms-meta muted">
                {t(message.direction === 'in' ? 'sms.inbound' : 'sms.outbound')} ·{' '}
                {formatInstant(message.supplierAt ?? message.createdAt, i18n.language)} ·{' '}
                {t(`sms.states.${message.status}`, { defaultValue: message.status })}
              </div>
            </li>
          ))}
        </ol>
      )}
      <form className="sms-send" onSubmit={submit}>
        <textarea
          name="sms"
          aria-label={t('sms.text')}
          placeholder={props.canSend ? t('sms.placeholder') : (props.reason ?? '')}
          disabled={!props.canSend}
          value={text}
          maxLength={500}
          onChange={(event) => setText(event.target.value)}
        />
        <button
          type="submit"
          className="primary"
          disabled={!props.canSend || send.isPending || !text.trim()}
          title={props.reason ?? undefined}
        >
          {t('sms.send')}
        </button>
      </form>
      {send.isError ? <ErrorMessage error={send.error} /> : null}
    </div>
  );
}
