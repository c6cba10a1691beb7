import { useTranslation } from 'react-i18next';
import { changeLanguage, LANGUAGES, type Language } from '../i18n/index.js';

/** 中文 / English. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <select
      className="language-switch"
      aria-label={t('layout.language')}
      value={i18n.language}
      onChange={(event) => changeLanguage(event.target.value as Language)}
      data-testid="language"
    >
      {LANGUAGES.map((language) => (
        <option key={language} value={language}>
          {language === 'zh-CN' ? '中文' : 'English'}
        </option>
      ))}
    </select>
  );
}
