// i18next with English and Simplified Chinese, chosen from the OS/browser locale and switchable.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';
import { zhCN } from './zh-cn.ts';

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
] as const;

export function languageFor(locale: string | undefined): 'en' | 'zh-CN' {
  return locale?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export async function initI18n(locale: string | undefined): Promise<typeof i18next> {
  if (!i18next.isInitialized) {
    // Screen readers pick their voice from the page language: keep <html lang> on the chosen one.
    i18next.on('languageChanged', (language) => {
      document.documentElement.lang = language;
    });
    await i18next.use(initReactI18next).init({
      resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
      lng: languageFor(locale),
      fallbackLng: 'en',
      supportedLngs: ['en', 'zh-CN'],
      interpolation: { escapeValue: false }, // React escapes
      returnNull: false,
    });
  } else {
    await i18next.changeLanguage(languageFor(locale));
  }
  document.documentElement.lang = i18next.language;
  return i18next;
}
